// omlink's window: Preact components (src/views) over signals (src/state.ts); every call to
// Rust goes through src/actions.ts.

import { render } from "preact";
import { start } from "./actions";
import { App } from "./views/App";

const root = document.getElementById("app");
if (root) render(<App />, root);
void start();
