// Says plainly whether the browser suite runs. Without Chromium the e2e files skip their tests;
// this file then passes locally (with the reason printed) but FAILS when CI=true.
import { describe, expect, it } from 'vitest';
import { chromium, hasChromium } from './harness';

describe('browser suite', () => {
  it('has Chromium, or is allowed to go without it', () => {
    if ('missing' in chromium) {
      console.warn(`\n[e2e] browser suite NOT RUN: ${chromium.missing}\n`);
      expect(process.env.CI, `CI=true needs Chromium: ${chromium.missing}`).not.toBe('true');
    } else {
      expect(hasChromium).toBe(true);
      expect(chromium.path).toMatch(/chrom/);
    }
  });
});
