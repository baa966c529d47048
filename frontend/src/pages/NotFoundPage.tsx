import { Link } from "react-router-dom";
import { Empty, focusRing } from "../components/ui";

export function NotFoundPage({ what = "page" }: { what?: string }) {
  return (
    <div>
      <h1 className="mb-4 text-2xl font-semibold">Not found</h1>
      <Empty title={`This ${what} was not found.`}>
        <p>It may have been deleted, or it belongs to someone else.</p>
        <Link to="/" className={`mt-3 inline-block text-indigo-800 underline ${focusRing}`}>
          Back to my stores
        </Link>
      </Empty>
    </div>
  );
}
