// What the analysis names: cause codes, severities, places in the source, fixes, causes and findings.
/**
 * The stable root-cause codes (docs/causes.md): the vocabulary every rule, report and SARIF log uses. A code
 * is added here when docs/causes.md documents it, never renamed; a rule module gives it meaning.
 */
export const CAUSE_CODES = [
  'no-cors-middleware',
  'origin-not-allowed',
  'origin-malformed',
  'env-origins-misparsed',
  'wildcard-with-credentials',
  'credentials-not-allowed',
  'method-not-allowed',
  'header-not-allowed',
  'preflight-rejected',
  'preflight-redirected',
  'error-response-without-cors',
  'proxy-strips-cors-headers',
  'proxy-answers-preflight',
  'proxy-headers-missing-on-errors',
  'duplicate-cors-headers',
  'server-unreachable',
  'mixed-content',
  'local-network-access',
  'served-app-not-configured',
  'cors-config-not-applied',
  'redirect-to-other-origin',
  'redirect-drops-authorization',
  'frontend-request-invalid',
  'authorization-wildcard',
  'redirect-extra-roundtrip',
  'header-not-exposed',
  'preflight-cache-short',
  'reflects-any-origin',
  'null-origin-trusted',
  'origin-suffix-bypass',
  'origin-prefix-bypass',
  'regex-unescaped-dot',
  'insecure-origin-trusted',
  'wildcard-credentials-reflection',
  'wildcard-origin-private-api',
  'hosting-platform-origin-trusted',
  'dev-origin-in-production',
  'scan-incomplete',
] as const;

export type CauseCode = (typeof CAUSE_CODES)[number];

export type Severity = 'error' | 'warning' | 'info';

export interface SourceLocation {
  file: string;
  line: number;
}

/**
 * A change to the project's source that fixes a finding, as an intent; `src/fix/edits.ts` turns it into
 * text (a unified diff, or the file written with `--write`).
 */
export type SourceEdit =
  /** Replace the first `from` at or after the start of `line` (within the statement there). */
  | { kind: 'replace-text'; file: string; line: number; from: string; to: string }
  /** Set keyword argument `keyword` of the call on `call.line` to `value` (added when absent). */
  | { kind: 'set-keyword'; call: SourceLocation; keyword: string; value: string }
  /** Move the statement on `statement.line` to just after the statement (or definition) on `after.line`. */
  | { kind: 'move-after'; statement: SourceLocation; after: SourceLocation }
  /** Insert `code` after the statement on `statement.line`, and `imports` after the file's last import. */
  | { kind: 'insert-after'; statement: SourceLocation; code: string[]; imports: string[] }
  /**
   * Insert `code` before the statement starting on `statement.line`, at its indentation (the first line
   * of a function body), and `imports` after the file's last import when the name is not imported yet.
   * With no `code`, only the imports are added.
   */
  | { kind: 'insert-before'; statement: SourceLocation; code: string[]; imports: string[] }
  /**
   * Move the list item starting on `statement.line` to just before the item starting on `before.line`, in
   * the same list literal (`middleware=[...]`, whose first item is the outermost layer). `names` tells
   * items that start on one line apart: the name each item's head (up to its first argument) holds.
   */
  | {
      kind: 'move-item-before';
      statement: SourceLocation;
      before: SourceLocation;
      names?: { statement: string; before: string };
    }
  /**
   * Changes the nginx directive that starts on `statement.line`, named `directive` (checked first):
   * `replace` writes `lines` instead of it (of a block, instead of its head before `{`), `append` writes
   * `lines[0]` as its last argument (before the `;`), `remove` deletes it (a block with its body),
   * `insert-after` and `insert-before` write `lines` beside it at its indentation, `insert-into` writes
   * them as the first lines of its block, `copy-before` writes a copy of its block before it (as written,
   * comments included) with the head `lines[0]` and, when `lines[1]` is given, that line instead of each
   * `proxy_pass` inside. Each of `lines` is one line of configuration; four leading spaces stand for one
   * level of indentation (src/fix/nginx-edits.ts).
   */
  | {
      kind: 'nginx-directive';
      statement: SourceLocation;
      directive: string;
      change: NginxChange;
      lines: string[];
    }
  /** Remove the Python statement on `statement.line` (a registration such as `app.add_middleware(...)`). */
  | { kind: 'remove-statement'; statement: SourceLocation }
  /**
   * Replace the statement starting on `statement.line` (the whole definition when the line is its first
   * decorator or its `def`/`class` header: decorators, header and body) by `code` at its indentation, or
   * remove it with the blank lines after it when `code` is empty; `imports` after the file's last import
   * when the module does not bind their names yet.
   */
  | { kind: 'replace-definition'; statement: SourceLocation; code: string[]; imports: string[] }
  /**
   * Remove the item of a list literal that starts on `statement.line` and reads `item` as written (`"null"`),
   * with its comma: with its line when it is alone on it.
   */
  | { kind: 'remove-item'; statement: SourceLocation; item: string };

/** What a `nginx-directive` edit does to its directive. */
export type NginxChange =
  | 'replace'
  | 'append'
  | 'remove'
  | 'insert-after'
  | 'insert-before'
  | 'insert-into'
  | 'copy-before';

export interface Fix {
  summary: string;
  /** How to make the change in the source; turned into `patch` by scan. Not part of the JSON output. */
  edits?: SourceEdit[];
  /** A unified diff, when one can be made (with the project's source). */
  patch?: string;
  /** Code to use instead, when no patch can be made. */
  snippet?: string;
}

/** A root cause named from evidence. */
export interface Cause {
  code: CauseCode;
  severity: Severity;
  summary: string;
  /** Lines of evidence, each a fact seen in the exchanges. */
  evidence: string[];
  locations: SourceLocation[];
  fix?: Fix;
  /** Set when the source (`--project`) confirms the cause found on the wire. */
  confirmedBy?: string;
}

/** A problem found in source, with its place. */
export interface Finding {
  code: CauseCode;
  severity: Severity;
  /** Where the fix is written: the literal, the `.env` line, the nginx directive, the call that must move. */
  file: string;
  line: number;
  /** Other places that matter, after `file:line`: the statement where the symptom shows, the other side. */
  related?: SourceLocation[];
  /** The app it concerns: where the app object is created (`main.py:5`). */
  app?: string;
  message: string;
  /**
   * For a security finding: an origin a browser can send that the configuration lets in and should not,
   * computed from the configuration (sending it, with a cookie, reproduces the finding).
   */
  origin?: string;
  /** Facts behind the finding (resolved values, how they were derived). */
  evidence?: string[];
  fix?: Fix;
}
