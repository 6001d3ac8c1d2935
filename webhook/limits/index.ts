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

/** Longest string of a log line's field (uid, pod, namespace, message, ...), in characters. */
export const maxLogFieldChars = 1024;

/** Most items of a logged list (warnings, ...). */
export const maxLogListItems = 16;

/** Longest logged stack trace, in characters. */
export const maxLogStackChars = 8192;
