// The result of `har`: a check report for each cross-origin request of the file (the JSON contract of
// docs/cli-contract.md, section har).
import type { Cause } from '../../core/causes.js';
import type { CheckReport } from '../../core/report.js';
import type { BrowserName, BrowserVerdict, CredentialsMode } from '../../model/types.js';

/** What the HAR says of one request, beside the check report. */
export interface HarRequestInfo {
  /** The entries (indices in `log.entries`) of this request and of the identical ones grouped with it. */
  entries: number[];
  /** How many identical requests the file holds (1 when it is not repeated). */
  count: number;
  /** The browser that recorded the HAR, when its creator says. */
  recordedBy?: BrowserName;
  /** What the recording itself shows, when it shows it (Chrome marks blocked requests with an error). */
  recordedOutcome?: 'allowed' | 'blocked';
  /** Where the page's origin was read: `its Origin header`, `its Referer header`, `the HAR's page`. */
  originFrom: string;
  credentials: {
    /** The mode is known from the HAR (a cookie was sent). */
    known: boolean;
    /** The mode of this report. */
    judged: CredentialsMode;
    why: string;
    /** When the mode is not known: the verdict in the other mode, when it differs. */
    other?: {
      credentials: CredentialsMode;
      browsers: Partial<Record<BrowserName, BrowserVerdict>>;
      causes: Cause[];
    };
    /** When the mode is not known: both modes reach the same verdict. */
    sameEitherWay?: boolean;
  };
  /** A `cors-doctor check` command that replays this request live. */
  replay: string;
}

/** One cross-origin request of the HAR: a check report, and where it came from. */
export interface HarRequestReport extends CheckReport {
  har: HarRequestInfo;
}

/** The result of `har`. */
export interface HarReport {
  file: string;
  /** The HAR's version and the program that wrote it. */
  version: string;
  creator: string;
  /** Entries read. */
  entries: number;
  requests: HarRequestReport[];
  /** Fetch/XHR requests not judged: same-origin, not http(s), or the page's origin unknown. */
  skipped: Array<{ entry: number; url: string; why: string }>;
}
