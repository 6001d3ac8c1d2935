// The one error a Go-compatible parser throws; its message is Go's own text
// (strconv.ParseBool, time.ParseDuration, …), so callers can wrap it the way
// Kuma wraps the Go error.
export class GoValueError extends Error {
  override readonly name = 'GoValueError';
}
