/**
 * Serves the officers' and supervisors' console (issue 14): the built pages (`npm run build:console`, into
 * dist/console), the design system's files (Bootstrap Italia, fonts and icons) and, only in `npm run dev`, the demo
 * principals its sign-in page offers. Everything the console shows it reads from /v1 with the signed-in token, on
 * the same origin (no CORS).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IRouter, NextFunction, Request, Response } from 'express';
import express from 'express';
import { z } from 'zod';
import { HttpProblem } from './problem';
import type { RouteSpec, RouteTable } from './route-table';

/** A demo principal of `npm run dev`, with its token (never in production). */
export interface DevPrincipal {
  sub: string;
  name: string;
  role: string;
  offices: string[];
  token: string;
}

export const devPrincipalsView = z.object({
  items: z.array(
    z.object({
      sub: z.string(),
      name: z.string(),
      role: z.string(),
      offices: z.array(z.string()),
      token: z.string(),
    }),
  ),
});

/** The repository's root, from the sources (api/) or from the build (dist/api/). */
function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i += 1) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..');
}

/** Where the built console is (CONSOLE_DIR overrides it). */
export function consoleDir(): string {
  return process.env.CONSOLE_DIR ?? path.join(repoRoot(), 'dist', 'console');
}

export interface ConsoleOptions {
  /** Only in `npm run dev`: the demo principals its sign-in page offers. */
  devPrincipals?: DevPrincipal[] | undefined;
  /** The Temporal UI, for each case's link to its workflow. */
  temporalUi?: { baseUrl: string; namespace: string } | undefined;
  /** The demo clock runs: the console reads the time from it. */
  devClock: boolean;
}

export function mountConsole(app: IRouter, table: RouteTable, spec: RouteSpec, opts: ConsoleOptions): void {
  const { devPrincipals } = opts;
  const config = JSON.stringify({ temporalUi: opts.temporalUi ?? null, devClock: opts.devClock });
  const dir = consoleDir();
  const vendor = path.dirname(require.resolve('bootstrap-italia/package.json'));
  const cacheFor = (seconds: number) => ({ index: false, maxAge: seconds * 1000 });
  app.use('/console/vendor/bootstrap-italia', express.static(path.join(vendor, 'dist'), cacheFor(86_400)));
  app.use('/console', (req: Request, res: Response, next: NextFunction) => {
    // The pages may not be framed by another origin, and run only scripts of their own origin.
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    );
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (req.method === 'GET' && req.path === '/config.json') {
      res.setHeader('Cache-Control', 'no-store');
      res.type('json').send(config);
      return;
    }
    next();
  });
  app.use('/console', express.static(dir, { index: 'index.html', maxAge: 0 }));
  app.use('/console', (_req: Request) => {
    if (!fs.existsSync(path.join(dir, 'index.html')))
      throw new HttpProblem(
        503,
        'unavailable',
        'Console not built',
        'The console has not been built: run npm run build (or npm run build:console).',
      );
    throw new HttpProblem(404, 'not-found', 'Not found', 'No such page of the console.');
  });
  if (devPrincipals) {
    table.add(app, '', spec, (_req: Request, res: Response) => {
      res.setHeader('Cache-Control', 'no-store');
      res.json({ items: devPrincipals });
    });
  }
}
