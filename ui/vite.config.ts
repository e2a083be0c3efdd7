import { defineConfig } from "vitest/config";

// The window loads the built files (tauri.conf.json: frontendDist ../ui/dist); `npm run dev`
// serves them on the devUrl for a non-embedded debug build.
export default defineConfig({
  clearScreen: false,
  build: { target: "safari15", outDir: "dist", emptyOutDir: true },
  test: { environment: "node" },
});
