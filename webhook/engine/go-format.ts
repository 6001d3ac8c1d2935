// Go's text formats that appear in Kuma's error messages and env values.

/** Go `%q` of one string (strconv.Quote, close enough for printable text). */
export function goQuote(value: string): string {
  return JSON.stringify(value);
}

/** Go `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(values: readonly string[]): string {
  return `[${values.map(goQuote).join(' ')}]`;
}

/** Error text of metadata.Annotations.GetUint32 for a bad value. */
export function formatGoUintError(key: string, value: string, reason: string): string {
  return `failed to parse annotation ${goQuote(key)}: strconv.ParseUint: parsing ${goQuote(value)}: ${reason}`;
}
