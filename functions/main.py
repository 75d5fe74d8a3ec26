"""Cloud Function entry point: hand each storage finalize event to the package."""

import functions_framework
from cloudevents.http import CloudEvent

from lookervault.retention.function import handle_event, setup_logging

setup_logging()


@functions_framework.cloud_event
def on_object_finalized(cloud_event: CloudEvent) -> None:
    handle_event(cloud_event.get_attributes(), cloud_event.data)
