import { Button } from "@/components/ui/button";

/**
 * "Export CSV" and "Export JSON Lines" for the filter on screen. Plain links to the streaming export route: the
 * browser downloads the file itself, so a million rows never pass through the page.
 */
export function ExportButtons({ path, params }: { path: string; params: URLSearchParams }) {
  const href = (format: "csv" | "jsonl") => {
    const q = new URLSearchParams(params);
    q.set("format", format);
    return `${path}?${q.toString()}`;
  };
  return (
    <div className="flex items-center gap-2">
      <Button asChild variant="secondary" size="sm">
        <a href={href("csv")} download>
          Export CSV
        </a>
      </Button>
      <Button asChild variant="secondary" size="sm">
        <a href={href("jsonl")} download>
          Export JSON Lines
        </a>
      </Button>
    </div>
  );
}
