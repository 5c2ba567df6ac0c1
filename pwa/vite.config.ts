// Vite build of the PWA: served by the Hono server from pwa/dist at "/", API at /api/v1.
import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.API_URL ?? 'http://localhost:3000';

/**
 * After everything is written (the service worker included: this runs after vite-plugin-pwa's own
 * closeBundle), put a maximum-effort .br and .gz beside each text file, so the server sends compressed
 * bytes without compressing anything per request. Files that would not shrink are left alone.
 */
function precompress(): Plugin {
  const text = /\.(js|css|html|svg|webmanifest|json|txt)$/;
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
  return {
    name: 'et-precompress',
    apply: 'build',
    closeBundle: {
      sequential: true,
      order: 'post',
      handler() {
        for (const file of walk(join(root, 'dist'))) {
          if (!text.test(file)) continue;
          const raw = readFileSync(file);
          if (raw.length < 256) continue;
          const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
          const gz = gzipSync(raw, { level: 9 });
          if (br.length < raw.length) writeFileSync(`${file}.br`, br);
          if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz);
        }
      },
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // Sizes are printed gzipped by scripts/chunk-sizes.ts after the build.
    reportCompressedSize: false,
  },
  server: {
    port: Number(process.env.PWA_PORT ?? 5173),
    // Host header is kept (no changeOrigin) so the API's Origin check sees the dev origin as same-site.
    proxy: {
      '/api': { target: apiTarget, ws: false },
      '/slack': { target: apiTarget },
      '/healthz': { target: apiTarget },
      '/readyz': { target: apiTarget },
    },
  },
  plugins: [
    precompress(),
    preact(),
    VitePWA({
      // We register ourselves with workbox-window (src/lib/sw.ts) to show an "update ready" prompt.
      injectRegister: false,
      registerType: 'prompt',
      strategies: 'generateSW',
      // Icons and the manifest are precached by the glob below; listing them again would duplicate entries.
      includeManifestIcons: false,
      manifest: {
        name: 'Emergency Token',
        short_name: 'E-Token',
        description: 'Break-the-glass emergency access: validate a token at the bedside.',
        start_url: '/',
        scope: '/',
        // A stable identity for the installed app, whatever start_url becomes. No `orientation`: the app
        // works in either, and locking it fails WCAG 1.3.4 for people whose phone is mounted sideways.
        id: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#b91c1c',
        lang: 'en',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        // Long-press on the home-screen icon goes straight to the two screens staff need.
        shortcuts: [
          { name: 'Validate a token', short_name: 'Validate', url: '/validate', icons: [{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' }] },
          { name: 'My tokens', short_name: 'My tokens', url: '/tokens', icons: [{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' }] },
        ],
      },
      workbox: {
        // App shell only. Nothing under /api/ is cached, routed or queued: a validation must never be
        // replayed, and stale data must never look current. No runtimeCaching, no background sync.
        globPatterns: ['**/*.{js,css,html,svg,png}'],
        // Screenshots are for the install sheet and the README, not for the offline shell.
        globIgnores: ['screenshots/**'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/slack\//, /^\/healthz/, /^\/readyz/],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
      },
    }),
  ],
});
