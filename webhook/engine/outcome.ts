// What the injection engine decides for one pod. The HTTP layer, the CLI and
// the metrics all consume this one shape.
import type { RecordedOperation } from './patch-recorder.ts';

export type InjectionOutcome =
  | {
      result: 'injected';
      /** The mutated pod (a new object; the input is not modified). */
      pod: Record<string, unknown>;
      /**
       * RFC 6902 operations that turn the input pod into `pod`, built from the mutations made.
       * Their values can be shared, frozen values (shared-value.ts): copy before applying by reference.
       */
      patch: RecordedOperation[];
      /** Kuma 2.13's warning log lines for this pod (deprecated annotations, ignored values); absent when none. */
      warnings?: string[];
    }
  | {
      result: 'skipped';
      /** Stable reason code, used as a metric label (e.g. `not_needed`, `exception_label`, `already_injected`). */
      reason: string;
      message: string;
      /** As for `injected`. */
      warnings?: string[];
    }
  | {
      result: 'refused';
      /** Stable reason code, used as a metric label (e.g. `invalid_label_value`, `mesh_not_found`). */
      reason: string;
      /** Kuma 2.13's exact error text. */
      message: string;
    };
