// The line `watch` prints for each entry: time, verdict, method and path, status, browser, cause.
import type { Style } from '../report/style.js';
import type { WatchEntry } from './entry.js';

const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ');

/** One line for an entry once it is final. */
export function entryLine(entry: WatchEntry, style: Style): string {
  const time = style.dim(entry.time.slice(11, 23));
  const verdict =
    entry.outcome === 'allowed'
      ? style.green('ALLOWED')
      : entry.outcome === 'blocked'
        ? style.red(style.bold('BLOCKED'))
        : entry.outcome === 'pending'
          ? style.yellow('WAITING')
          : style.dim('   -   ');
  const request = `${entry.method} ${entry.path}`;
  const status = entry.status === null ? '' : ` ${entry.status}`;
  const parts = [`${time}  ${verdict}  ${style.bold(request)}${status}`];
  if (!entry.crossOrigin) {
    parts.push(style.dim(`(${entry.notes[0] ?? 'not cross-origin'})`));
    return parts.join('  ');
  }
  parts.push(style.dim(`${entry.browser} from ${entry.origin ?? 'no origin'}`));
  const cause = entry.causes.find((c) => c.severity === 'error') ?? entry.causes[0];
  if (entry.outcome === 'blocked' && cause)
    parts.push(`${style.bold(cause.code)}: ${oneLine(cause.summary)}`);
  else if (entry.outcome === 'blocked' && entry.messages[0]) parts.push(oneLine(entry.messages[0]));
  else if (entry.outcome === null && entry.notes[0]) parts.push(style.dim(entry.notes[0]));
  const other = entry.withCredentials;
  if (other) {
    const otherCause = other.causes.find((c) => c.severity === 'error')?.code;
    parts.push(
      style.yellow(`(with credentials 'include': ${other.outcome}${otherCause ? `, ${otherCause}` : ''})`),
    );
  }
  return parts.join('  ');
}

/** The line for a WebSocket (or other) upgrade passed through. */
export function upgradeLine(method: string, path: string, status: number | 'failed', style: Style): string {
  const time = style.dim(new Date().toISOString().slice(11, 23));
  return `${time}  ${style.dim('UPGRADE')}  ${style.bold(`${method} ${path}`)} ${status === 'failed' ? style.red('failed') : status}`;
}
