// The embedded demo: its cluster objects and a sample AdmissionReview.
export { demoNamespace, demoObjects } from './demo-state.ts';
export { podAdmissionReview, type ReviewOptions, samplePod } from './sample-review.ts';
