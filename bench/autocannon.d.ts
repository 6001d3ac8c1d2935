// The slice of autocannon 9's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    max: number;
  }
  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Sent in turn on each connection, instead of one request. */
    requests?: { method?: string; path?: string; headers?: Record<string, string>; body?: string }[];
    connections?: number;
    duration?: number;
    /** Each connection reconnects (a new TLS handshake) after this many requests. */
    reconnectRate?: number;
    servername?: string;
  }
  interface Result {
    requests: Histogram;
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
