import type { Router } from 'express';
import express from 'express';
import {
  SUBGRAPH_NAMES,
  subgraphBaseUrl,
  type SubgraphName,
  type SubgraphUrls,
} from '../subgraph-url.js';

export type Readiness = 'ready' | 'unavailable';

/** What /readyz answers while the hub is still starting (e.g. seeding the demo data). */
export interface StartingReport {
  status: 'starting';
  waitingFor: string;
}

export interface ReadinessReport {
  status: Readiness;
  subgraphs: Record<SubgraphName, Readiness>;
}

/** Asks each subgraph's /readyz (which checks its database) at once, each with its own timeout. */
export async function checkReadiness(
  urls: SubgraphUrls,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    SUBGRAPH_NAMES.map(async (name): Promise<[SubgraphName, Readiness]> => {
      try {
        const response = await fetch(`${subgraphBaseUrl(urls[name])}/readyz`, {
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body?.cancel();
        return [name, response.status === 200 ? 'ready' : 'unavailable'];
      } catch {
        return [name, 'unavailable'];
      }
    }),
  );
  const subgraphs = Object.fromEntries(results) as Record<SubgraphName, Readiness>;
  const ready = results.every(([, readiness]) => readiness === 'ready');
  return { status: ready ? 'ready' : 'unavailable', subgraphs };
}

/**
 * `GET /healthz`: 200 while the process lives (a liveness probe must not depend on others).
 * `GET /readyz`: 503 `{ status: 'starting', waitingFor }` while `waitingFor()` names what the hub
 * is still doing before clients should use it; then 200 only when every subgraph is ready, else
 * 503 naming the ones that are not.
 */
export function healthRoutes(
  urls: SubgraphUrls,
  timeoutMs: number,
  waitingFor: () => string | null = () => null,
): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const pending = waitingFor();
    if (pending !== null) {
      res.status(503).json({ status: 'starting', waitingFor: pending } satisfies StartingReport);
      return;
    }
    const report = await checkReadiness(urls, timeoutMs);
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });
  return router;
}
