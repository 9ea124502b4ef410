import dagster as dg

from pipelines.defs.jobs import build_warehouse
from pipelines.landing.inbox import inbox_fingerprint
from pipelines.settings import load_settings


@dg.sensor(
    job=build_warehouse,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Starts a build when report files arrive in, leave or change in the corpus folder "
        "(FAZHI_SOURCES). Runs are serialised by the instance (one run at a time) and the "
        "warehouse pool, so two builds never write at once."
    ),
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    settings = load_settings()
    fingerprint, files = inbox_fingerprint(settings.sources, settings.outputs)
    if fingerprint == context.cursor:
        return dg.SensorResult(skip_reason=f"no change among {files} files")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=fingerprint, tags={"fazhi/inbox_files": str(files)})],
        cursor=fingerprint,
    )
