// The benchmarks' plots: Vega-Lite specifications rendered to SVG by Vega (no browser needed for that), then
// to PNG by the system's Chromium (the same one the browser tests use), so BENCHMARKS.md shows images.
import { accessSync, constants } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Plot {
  /** Where the PNG goes. */
  file: string;
  spec: TopLevelSpec;
}

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Throws, saying what to install, when there is no Chromium to render with: checked before a benchmark starts, not after it. */
export function checkChromium(): void {
  try {
    accessSync(chromiumPath, constants.X_OK);
  } catch {
    throw new Error(`the plots are rendered with Chromium, and there is none at ${chromiumPath}: install Debian's chromium (apt-get install chromium, as .ci/run does) or set CHROMIUM_PATH to a Chromium binary`);
  }
}

export async function renderPlots(plots: Plot[]): Promise<void> {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 2 });
    for (const plot of plots) {
      const svg = await new vega.View(vega.parse(compile(plot.spec).spec), { renderer: 'none' }).toSVG();
      await page.setContent(`<body style="margin:0;background:white">${svg}</body>`);
      await writeFile(plot.file, await page.locator('svg').screenshot());
    }
  } finally {
    await browser.close();
  }
}
