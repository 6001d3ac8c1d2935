// What the injection engine decides for one pod. The HTTP layer, the CLI and
// the metrics all consume this one shape.
import type { RecordedOperation } from './patch/index.ts';

export type InjectionOutcome =
  | {
      result: 'injected';
      /**
       * The mutated pod, the caller's to change: a new object whose untouched branches are the
       * input's (which is not modified) and whose added parts were built for this pod alone.
       */
      pod: Record<string, unknown>;
      /**
       * RFC 6902 operations that turn the input pod into `pod`, built from the mutations made;
       * the patch's text is their JSON.stringify. Their values are the objects added to `pod`:
       * serialise (or copy) the patch before changing `pod`.
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
