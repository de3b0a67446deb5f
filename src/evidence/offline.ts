/**
 * The server-model gatherer (`check --offline`): the probe's transport answered by the server model instead
 * of the network, behind the proxy's model when a proxy configuration takes the URL. The
 * probe still decides what a browser sends (preflight or not, redirects, diagnostic requests); each
 * request is answered with what the app's source predicts.
 */
import { STATUS_CODES } from 'node:http';
import { UnpredictableAnswerError } from '../core/errors.js';
import { moduleFile, type ServeCommand } from '../project/serve-commands.js';
import type { ProxyConfig } from '../proxy/registry.js';
import { predictThroughProxy } from '../proxy/registry.js';
import type { PythonApp } from '../python/types.js';
import { knownFiles, moduleObjects, servedApp } from '../servers/served-object.js';
import { type Prediction, type PredictOptions, predictAnswer, routeMatchesPath } from '../servers/stack.js';
import type { ServerRequest } from '../servers/types.js';
import type { SendResult } from './probe/http.js';
import type { Transport } from './probe/probe.js';

/** Thrown when the model cannot predict an answer (unresolved configuration, a mounted sub-app, ...). */
export { UnpredictableAnswerError as UnpredictableAnswer };

/** A transport that answers every request from `app`'s source. */
export function modelTransport(app: PythonApp, options: PredictOptions): Transport {
  return predictionTransport((request) => predictAnswer(app, request, options));
}

/** A transport that answers every request with a server model's prediction. */
export function predictionTransport(predict: (request: ServerRequest) => Prediction): Transport {
  return async (request): Promise<SendResult> => {
    const prediction = predict(request);
    if (!prediction.known) {
      throw new UnpredictableAnswerError(
        `cannot predict the answer to ${request.method} ${request.url}: ${prediction.why}`,
      );
    }
    return {
      ms: 0,
      response: {
        status: prediction.status,
        statusText: STATUS_CODES[prediction.status] ?? '',
        headers: prediction.headers,
        bodyExcerpt: prediction.body ?? '',
      },
      predicted: {
        answeredBy: prediction.answeredBy,
        explanation: prediction.explanation,
        statusAssumed: prediction.statusAssumed,
        assumptions: prediction.assumptions,
        path: prediction.path,
      },
    };
  };
}

/**
 * The objects the project's serve commands name (Dockerfile, compose, Procfile, `uvicorn.run`), each as
 * the model of what is served: the app with the wrappers of that object outside its stack, and without the
 * wrappers it does not pass through (`application = CORSMiddleware(app)` is not in `main:app`).
 */
export function servedApps(project: ServedProject): PythonApp[] {
  const out: PythonApp[] = [];
  for (const command of project.serveCommands ?? []) {
    if (command.factory) continue; // what a factory returns is not followed
    const file = command.resolved?.file ?? moduleFile(command, knownFiles(project.apps));
    if (!file) continue;
    const served = moduleObjects(project.apps, file, command.resolved?.bindings)?.get(command.attribute);
    if (typeof served === 'object') out.push(servedApp(served));
  }
  return out;
}

/** What `appForUrl` reads of a project: its apps and the commands that serve them. */
export interface ServedProject {
  apps: PythonApp[];
  serveCommands?: ServeCommand[];
}

/**
 * The app that serves `url`: among the objects the project's serve commands name (else among the
 * project's apps), the one with the most routes matching the path (any method); ties go to the first
 * found. Undefined when the project has no app.
 */
export function appForUrl(project: ServedProject, url: string): PythonApp | undefined {
  const { pathname } = new URL(url);
  const served = servedApps(project);
  let best: PythonApp | undefined;
  let bestScore = -1;
  for (const app of served.length > 0 ? served : project.apps) {
    const score = app.routes.filter((r) => routeMatchesPath(r, pathname)).length;
    if (score > bestScore) {
      best = app;
      bestScore = score;
    }
  }
  return best;
}

/** The app's model, behind the proxy's model when a configuration takes the URL. */
export function offlineTransport(
  app: PythonApp,
  proxy: ProxyConfig | undefined,
  starletteVersion: string,
): Transport {
  const appModel = (request: ServerRequest) => predictAnswer(app, request, { starletteVersion });
  return predictionTransport(proxy ? (request) => predictThroughProxy(proxy, request, appModel) : appModel);
}
