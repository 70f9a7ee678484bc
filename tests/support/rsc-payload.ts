/**
 * The inline React Server Components payload of an App Router page's HTML: the `self.__next_f.push([1, "…"])` scripts
 * Next.js streams after the markup so the browser can hydrate without another request. Everything a server component
 * passes to a client component (and the server-rendered tree itself) travels here, next to the HTML it duplicates.
 */
export function inlineRscPayload(html: string): string {
  const chunks: string[] = [];
  for (const m of html.matchAll(/<script[^>]*>self\.__next_f\.push\((\[[\s\S]*?\])\)<\/script>/g)) {
    const entry = JSON.parse(m[1]!) as unknown[];
    if (entry[0] === 1 && typeof entry[1] === "string") chunks.push(entry[1]);
  }
  return chunks.join("");
}

/** How many times `needle` occurs in `text`. */
export function occurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}
