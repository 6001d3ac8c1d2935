// Go-compatible values: the parsers and formats whose exact texts Kuma's
// behaviour and messages depend on (Kuma is written in Go). Used by both the
// webhook and kuma-init; imports nothing of theirs.
export { formatGoDuration, parseGoDuration } from './duration.ts';
export { GoValueError } from './errors.ts';
export { goQuote, goQuoteList } from './quote.ts';
export { formatGoFloat, parseGoBool, parseGoUint } from './strconv.ts';
