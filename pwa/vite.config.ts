// Vite build of the PWA: served by the Hono server from pwa/dist at "/", API at /api/v1.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.API_URL ?? 'http://localhost:3000';

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
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: '#b91c1c',
        lang: 'en',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // App shell only. Nothing under /api/ is cached, routed or queued: a validation must never be
        // replayed, and stale data must never look current. No runtimeCaching, no background sync.
        globPatterns: ['**/*.{js,css,html,svg,png}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/slack\//, /^\/healthz/, /^\/readyz/],
        cleanupOutdatedCaches: true,
        clientsClaim: false,
        skipWaiting: false,
      },
    }),
  ],
});
