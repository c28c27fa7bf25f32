// The command handlers and their option declarations (declare_X binds the
// options of command X; run_X carries it out). Internal to lib/clicmd: the
// table in commands.cpp is what the rest of the CLI sees.
#pragma once

#include "clicmd/context.hpp"

namespace cpshare::clicmd::cmd {

// cmd_account.cpp
void declare_register(CLI::App* app, Args& a);
Result<> run_register(Context& ctx);
void declare_activate(CLI::App* app, Args& a);
Result<> run_activate(Context& ctx);

// cmd_session.cpp
void declare_login(CLI::App* app, Args& a);
Result<> run_login(Context& ctx);
Result<> run_logout(Context& ctx);
Result<> run_whoami(Context& ctx);
Result<> run_sessions_list(Context& ctx);
void declare_sessions_revoke(CLI::App* app, Args& a);
Result<> run_sessions_revoke(Context& ctx);

// cmd_profile.cpp
Result<> run_profile_show(Context& ctx);
void declare_profile_update(CLI::App* app, Args& a);
Result<> run_profile_update(Context& ctx);
void declare_password_change(CLI::App* app, Args& a);
Result<> run_password_change(Context& ctx);
void declare_deregister(CLI::App* app, Args& a);
Result<> run_deregister(Context& ctx);
void declare_mfa_enable(CLI::App* app, Args& a);
Result<> run_mfa_enable(Context& ctx);
void declare_mfa_disable(CLI::App* app, Args& a);
Result<> run_mfa_disable(Context& ctx);

// cmd_admin.cpp
void declare_review_list(CLI::App* app, Args& a);
Result<> run_review_list(Context& ctx);
void declare_review_show(CLI::App* app, Args& a);
Result<> run_review_show(Context& ctx);
void declare_review_approve(CLI::App* app, Args& a);
Result<> run_review_approve(Context& ctx);
void declare_review_reject(CLI::App* app, Args& a);
Result<> run_review_reject(Context& ctx);
void declare_audit(CLI::App* app, Args& a);
Result<> run_audit(Context& ctx);

// cmd_catalog.cpp
void declare_publish(CLI::App* app, Args& a);
Result<> run_publish(Context& ctx);
void declare_show(CLI::App* app, Args& a);
Result<> run_show(Context& ctx);
void declare_list(CLI::App* app, Args& a);
Result<> run_list(Context& ctx);
void declare_filter(CLI::App* app, Args& a);
Result<> run_filter(Context& ctx);
void declare_update(CLI::App* app, Args& a);
Result<> run_update(Context& ctx);
void declare_delist(CLI::App* app, Args& a);
Result<> run_delist(Context& ctx);
Result<> run_relist(Context& ctx);
void declare_units(CLI::App* app, Args& a);
Result<> run_units(Context& ctx);
void declare_units_set(CLI::App* app, Args& a);
Result<> run_units_set(Context& ctx);
void declare_cluster_verify(CLI::App* app, Args& a);
Result<> run_cluster_verify(Context& ctx);

// cmd_meta.cpp
Result<> run_version(Context& ctx);
void declare_completion(CLI::App* app, Args& a);
Result<> run_completion(Context& ctx);
Result<> run_man(Context& ctx);

// cmd_lease.cpp
void declare_lease(CLI::App* app, Args& a);
Result<> run_lease(Context& ctx);
void declare_leases(CLI::App* app, Args& a);
Result<> run_leases(Context& ctx);
void declare_leases_show(CLI::App* app, Args& a);
Result<> run_leases_show(Context& ctx);
void declare_lease_id(CLI::App* app, Args& a);
Result<> run_approve(Context& ctx);
Result<> run_release(Context& ctx);
void declare_lease_reason(CLI::App* app, Args& a);
Result<> run_reject(Context& ctx);
Result<> run_terminate(Context& ctx);
void declare_redeem(CLI::App* app, Args& a);
Result<> run_redeem(Context& ctx);
void declare_ledger(CLI::App* app, Args& a);
Result<> run_bills(Context& ctx);
Result<> run_earnings(Context& ctx);

}  // namespace cpshare::clicmd::cmd
