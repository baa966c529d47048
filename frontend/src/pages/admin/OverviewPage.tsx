import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { admin } from "../../api/endpoints";
import { PHASES } from "../../api/types";
import { ENGINE_NAMES } from "../../components/PhaseBadge";
import { Card, Empty, ErrorState, Loading, PageTitle, focusRing } from "../../components/ui";
import { dateTime, reasonWords, seconds } from "../../lib/format";

export function OverviewPage() {
  const overview = useQuery({ queryKey: ["admin", "overview"], queryFn: admin.overview, refetchInterval: 10000 });
  if (overview.isPending) return <Loading what="the overview" />;
  if (overview.isError) return <ErrorState error={overview.error} retry={() => void overview.refetch()} />;
  const data = overview.data;
  return (
    <>
      <PageTitle>Overview</PageTitle>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Card>
          <p className="text-sm text-slate-700">All stores</p>
          <p className="text-2xl font-semibold" data-testid="count-total">{data.total}</p>
        </Card>
        {PHASES.map((phase) => (
          <Card key={phase}>
            <p className="text-sm text-slate-700">
              <Link to={`/admin/stores?phase=${phase}`} className={`underline ${focusRing}`}>{phase}</Link>
            </p>
            <p className="text-2xl font-semibold" data-testid={`count-${phase}`}>{data.by_phase[phase] ?? 0}</p>
          </Card>
        ))}
      </div>
      <div className="mt-4 grid gap-4 lg:grid-cols-3">
        <Card>
          <h2 className="mb-2 font-semibold">Provisioning time</h2>
          <dl className="grid grid-cols-2 gap-2 text-sm">
            <dt className="text-slate-700">Median (p50)</dt>
            <dd className="font-medium" data-testid="p50">{seconds(data.provisioning.p50_seconds)}</dd>
            <dt className="text-slate-700">p95</dt>
            <dd className="font-medium" data-testid="p95">{seconds(data.provisioning.p95_seconds)}</dd>
            <dt className="text-slate-700">Stores measured</dt>
            <dd className="font-medium">{data.provisioning.samples}</dd>
          </dl>
        </Card>
        <Card>
          <h2 className="mb-2 font-semibold">By engine</h2>
          <dl className="grid grid-cols-2 gap-2 text-sm">
            {Object.entries(data.by_engine).map(([engine, count]) => (
              <div key={engine} className="contents">
                <dt className="text-slate-700">{ENGINE_NAMES[engine as keyof typeof ENGINE_NAMES] ?? engine}</dt>
                <dd className="font-medium">{count}</dd>
              </div>
            ))}
            <dt className="text-slate-700">Tenants with stores</dt>
            <dd className="font-medium">{data.tenants_with_stores}</dd>
          </dl>
        </Card>
      </div>
      <h2 className="mb-2 mt-6 text-lg font-semibold">Recent failures</h2>
      {data.recent_failures.length === 0 ? (
        <Empty title="No failed stores." />
      ) : (
        <ul className="space-y-2">
          {data.recent_failures.map((failure) => (
            <li key={`${failure.tenant ?? ""}/${failure.store}`}>
              <Card>
                <p className="font-medium">
                  {failure.display_name} <span className="text-sm font-normal text-slate-600">({failure.tenant} / {failure.store})</span>
                </p>
                <p className="text-sm text-red-800">{reasonWords(failure.reason)}</p>
                {failure.message && <p className="text-sm text-slate-700">{failure.message}</p>}
                <p className="text-xs text-slate-600">{dateTime(failure.since)}</p>
              </Card>
            </li>
          ))}
        </ul>
      )}
      {data.truncated && <p className="mt-2 text-sm text-slate-700">Only the first stores were counted.</p>}
    </>
  );
}
