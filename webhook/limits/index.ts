// Every bound the webhook puts on what a request can make it do, in one place
// (docs/robustness.md, "The webhook", explains each figure). A webhook with
// failurePolicy Fail is on the path of every pod creation: one hostile pod
// must not cost more memory, time, response or log than these allow.

/**
 * The API server's own limit on a pod's annotations: the sum of the lengths of
 * every key and value (Kubernetes' TotalAnnotationSizeLimitB, validated only
 * after the mutating webhooks ran). A larger pod is refused with a message.
 */
export const apiServerAnnotationBytes = 256 * 1024;

/**
 * Deepest JSON nesting accepted in a review body. A Pod's schema is about 15
 * levels deep and the envelope adds 3, and the API server drops fields outside
 * the schema; deeper bodies are refused with 400 before anything walks them.
 */
export const maxBodyDepth = 100;

/**
 * Most objects and arrays in a review body, counted before it is parsed (each
 * costs about 70 bytes of heap once parsed). The API server accepts request
 * bodies up to 3 MiB, and the smallest object a Pod can hold many of (an env
 * var `{"name":"a"}`) takes 13 bytes: fewer than 250,000. Bodies with more get
 * 400 unparsed.
 */
export const maxBodyContainers = 262_144;

/**
 * Most items the injector builds from one list annotation (ports, UIDs, env
 * vars, ContainerPatch names, ...): beyond it the pod is refused, since every
 * item becomes an argument, an env var or a patch of the response.
 */
export const maxAnnotationListItems = 1024;

/**
 * Largest JSON patch the webhook answers with, in bytes (before base64). The
 * patched pod must fit etcd's 1.5 MiB object limit, so a larger patch cannot
 * be of use; the pod is refused instead.
 */
export const maxPatchBytes = 4 * 1024 * 1024;

/**
 * Bytes of admission request bodies the webhook holds at once (`--max-inflight-bytes`);
 * beyond it a request gets 429 with Retry-After, unread. One body at the default body
 * limit (7 MiB) and 1 MiB beside it: hundreds of ordinary pods (a few KB each) at once,
 * but never two of the costliest bodies, each about 60 MB of heap while it is answered
 * (docs/robustness.md): with V8's heap capped (NODE_OPTIONS), the peak stays well
 * under the chart's 256 Mi.
 */
export const defaultMaxInflightBytes = 8 * 1024 * 1024;

/** Longest string of a log line's field (uid, pod, namespace, message, ...), in characters. */
export const maxLogFieldChars = 1024;

/** Most items of a logged list (warnings, ...). */
export const maxLogListItems = 16;

/** Longest logged stack trace, in characters. */
export const maxLogStackChars = 8192;
