// The benchmarks' Chromium: Debian's when installed, headless, one launch for every bench that opens a page.
//
// Measured here (2 cores), and left as it is: DevTools' CPU throttling (Emulation.setCPUThrottlingRate, the dashboard
// bench's ×4) stalls a tab's main thread by spinning, so a throttled tab burns ~0.8 of a core even while idle (1.6 s
// of CPU in 2 s; an idle unthrottled renderer ~0.15). On 2 cores that slows whatever shares them: in the throttled
// loads the Overview's TTFB was 180–590 ms against 75–130 ms unthrottled, and a GET /api/health sent alongside took
// 100–340 ms against 6–40 ms. Keeping Chromium to one core made its throttled page far slower (its own threads then
// share the spinning core); a lower priority for it changed the ratios less than their run-to-run spread.
import fs from "node:fs";
import { chromium, type Browser } from "@playwright/test";

const CHROMIUM = "/usr/bin/chromium";

export async function launchBenchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: fs.existsSync(CHROMIUM) ? CHROMIUM : undefined,
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
}
