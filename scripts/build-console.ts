/**
 * Builds the console (console/) into dist/console: the pages' scripts bundled and minified with esbuild, the HTML,
 * the styles and the labels copied. `npm run build` runs it; `npm run dev` and the test setup run it too.
 * `--check` only type-checks what it bundles (esbuild does not).
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..');

export async function buildConsole(
  outDir = path.join(root, 'dist', 'console'),
): Promise<{ outDir: string; bytes: number }> {
  fs.mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: {
      main: path.join(root, 'console/src/main.ts'),
      survey: path.join(root, 'console/src/survey.ts'),
    },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: ['es2020'],
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  for (const file of ['index.html', 'survey.html', 'styles.css'])
    fs.copyFileSync(path.join(root, 'console', file), path.join(outDir, file));
  fs.mkdirSync(path.join(outDir, 'labels'), { recursive: true });
  for (const file of fs.readdirSync(path.join(root, 'console/labels')))
    fs.copyFileSync(path.join(root, 'console/labels', file), path.join(outDir, 'labels', file));
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outDir, bytes };
}

if (require.main === module) {
  buildConsole()
    .then(({ outDir, bytes }) =>
      console.log(
        `console built in ${path.relative(root, outDir)} (${Math.round(bytes / 1024)} KiB of scripts and maps)`,
      ),
    )
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
