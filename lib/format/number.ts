/**
 * Numbers as the dashboard, its notifications and its CLI write them: en-US digits and grouping ("1,234", "2.5"),
 * whatever the process's or the browser's locale. Plain module (no Next, no server-only).
 *
 * Written without Intl on purpose: a browser tab's first Intl formatter loads ICU's locale data before it returns,
 * 40–100 ms on a 2-core machine (four times that with the CPU throttled), and a client component that formats at
 * import or while hydrating makes its page wait for it. lib/format needs only this fixed style, which is plain
 * arithmetic.
 */

/** Up to 10^21 toFixed writes every digit; past it, exponent notation, which no dashboard figure reaches. */
const FIXED_LIMIT = 1e21;

/**
 * `n` with commas between thousands and at most `maxFractionDigits` decimals, rounded half away from zero, trailing
 * zeros dropped: 1234 → "1,234", 9.95 → "10" and 2.25 → "2.3" (one digit), 2.04 → "2" (one digit), -0.04 → "0".
 * Not finite → "—".
 */
export function formatNumber(n: number, maxFractionDigits = 0): string {
  if (!Number.isFinite(n)) return "—";
  const abs = Math.abs(n);
  if (abs >= FIXED_LIMIT) return String(n);
  // Rounded as the number reads in decimal, as Intl does: 9.95 is stored as 9.9499…, which toFixed(1) writes "9.9".
  const written = String(abs);
  const scale = 10 ** maxFractionDigits;
  const shifted = written.includes("e") ? abs * scale : Number(`${written}e${maxFractionDigits}`);
  const fixed = (Math.round(shifted) / scale).toFixed(maxFractionDigits);
  const [whole = "0", fraction = ""] = fixed.split(".");
  const digits = fraction.replace(/0+$/, "");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const text = digits ? `${grouped}.${digits}` : grouped;
  return n < 0 && /[1-9]/.test(text) ? `-${text}` : text;
}
