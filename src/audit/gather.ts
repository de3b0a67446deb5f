/**
 * Sends an audit's probes: a few at a time, at most `rate` a second, never more than the budget. The first
 * probe goes alone: when nothing answers it, nothing else is sent. Records what came back; judges nothing.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { AuditAnswer, AuditEvidence, AuditProbe } from '../core/audit.js';
import type { RecordedRequest } from '../core/exchange.js';
import type { SendResult } from '../evidence/probe/http.js';
import { answerOf, needsCookies, planAudit, probeRequest, secondRound } from './plan.js';
import { type AuditSender, keepAliveSender } from './send.js';

export type AuditTransport = (request: RecordedRequest) => Promise<SendResult>;

export interface GatherOptions {
  maxProbes: number;
  /** Probes a second, at most. */
  rate: number;
  timeoutMs: number;
  /** Probes in flight at once. Default 6 (a browser's connections to one host). */
  concurrency?: number;
  /** Default: the network (node:http), over kept-alive connections. */
  transport?: AuditTransport;
}

export interface Gathered {
  evidence: AuditEvidence;
  /** Derived origins not tried: the budget ran out. */
  notSent: number;
  /** Set when nothing answered the first probe: why. */
  unreachable?: string;
}

/**
 * The addresses a host name resolves to (what tells an intranet name from a public one); undefined for an
 * address or localhost, or when the name does not resolve (the first probe then says why).
 */
async function addressesOf(url: string): Promise<string[] | undefined> {
  const host = new URL(url).hostname;
  if (isIP(host.replace(/^\[|\]$/g, '')) || host === 'localhost' || host.endsWith('.localhost'))
    return undefined;
  try {
    return (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return undefined;
  }
}

/** Spaces the starts of the probes: at most `rate` in any second, the first `rate` at once. */
function rateLimiter(rate: number): () => Promise<void> {
  const starts: number[] = [];
  return async () => {
    for (;;) {
      const now = performance.now();
      while (starts.length > 0 && now - (starts[0] as number) >= 1000) starts.shift();
      if (starts.length < rate) {
        starts.push(now);
        return;
      }
      await new Promise((r) => setTimeout(r, 1000 - (now - (starts[0] as number)) + 1));
    }
  };
}

async function sendAll(
  probes: AuditProbe[],
  send: (probe: AuditProbe) => Promise<AuditAnswer>,
  concurrency: number,
): Promise<AuditAnswer[]> {
  const answers: AuditAnswer[] = new Array(probes.length);
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const i = next++;
      answers[i] = await send(probes[i] as AuditProbe);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, probes.length) }, worker));
  return answers;
}

/** Sends the probes of an audit of `url` for the trusted `origins` and records the answers. */
export async function gatherAudit(url: string, origins: string[], options: GatherOptions): Promise<Gathered> {
  const concurrency = options.concurrency ?? 6;
  const sender = options.transport ? undefined : keepAliveSender(options.timeoutMs, concurrency);
  const transport = options.transport ?? (sender as AuditSender).send;
  try {
    return await gatherWith(url, origins, options, transport, concurrency);
  } finally {
    sender?.close();
  }
}

async function gatherWith(
  url: string,
  origins: string[],
  options: GatherOptions,
  transport: AuditTransport,
  concurrency: number,
): Promise<Gathered> {
  const waitTurn = rateLimiter(options.rate);
  const send = async (probe: AuditProbe): Promise<AuditAnswer> => {
    await waitTurn();
    const result = await transport(probeRequest(url, probe));
    return answerOf(probe, {
      ...(result.response && { status: result.response.status, headers: result.response.headers }),
      ms: result.ms,
      ...(result.error && { error: result.error.message }),
    });
  };
  const addresses = await addressesOf(url);
  const plan = planAudit(url, origins, options.maxProbes);
  const [lead, ...rest] = plan.first;
  const answers: AuditAnswer[] = [];
  const evidence = (): AuditEvidence => {
    const cookies = needsCookies(answers, origins);
    return {
      url,
      origins,
      answers,
      ...(cookies !== undefined && { needsCookies: cookies }),
      ...(addresses && { addresses }),
    };
  };
  if (!lead) return { evidence: evidence(), notSent: plan.later.length };
  const leadAnswer = await send(lead);
  answers.push(leadAnswer);
  if (leadAnswer.error !== undefined)
    return { evidence: evidence(), notSent: plan.later.length, unreachable: leadAnswer.error };
  answers.push(...(await sendAll(rest, send, concurrency)));
  const second = secondRound(plan, answers, origins);
  answers.push(...(await sendAll(second, send, concurrency)));
  const triedLater = second.filter((p) => plan.later.includes(p)).length;
  return { evidence: evidence(), notSent: plan.later.length - triedLater };
}
