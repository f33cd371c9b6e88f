import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development Vite serves the SPA with hot reload and forwards API calls to the API server.
const apiOrigin = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export default defineConfig({
  plugins: [react()],
  // The manifest lets scripts/first-screen.ts find what the first screen downloads.
  build: { manifest: true },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    // The API refuses a POST whose Origin names another host (CSRF): keep the browser's Host.
    proxy: {
      '/trpc': { target: apiOrigin, changeOrigin: false },
      '/healthz': { target: apiOrigin, changeOrigin: false },
    },
  },
});
