// The names of the audit log's events: one list for the services that write
// them, the CLI's `admin audit --event` choices and completions, and the
// OpenAPI AuditEventName enum (a test compares them).
#pragma once

#include <string>
#include <vector>

namespace cpshare {
const std::vector<std::string>& audit_event_names();
}
