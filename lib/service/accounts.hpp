// Accounts (issue 2; R-USER-*, R-SUP-*, R-SEC-*), one service per concern
// (issue 10): RegistrationService (registration.hpp: register, activate,
// resend, the first admin), SessionService (sessions.hpp: login, the bearer
// token's caller, sessions, MFA), ProfileService (profile.hpp: profile,
// password, deregistration) and ReviewService (review.hpp: the review queue
// and the audit log), all over one AccountCore (account_core.hpp: the store,
// keys, mailer, clock, log, config and the one Throttle they share).
// AccountServices builds the five from what the daemon and the tests have.
#pragma once

#include "service/account_core.hpp"
#include "service/profile.hpp"
#include "service/registration.hpp"
#include "service/review.hpp"
#include "service/sessions.hpp"

namespace cpshare {

struct AccountServices {
  AccountServices(Store& store, const crypto::KeyRing& keys, Mailer& mailer, const Clock& clock, Logger& log,
                  AccountConfig config)
      : core(store, keys, mailer, clock, log, std::move(config)),
        registration(core),
        sessions(core),
        profile(core),
        review(core) {}
  AccountServices(const AccountServices&) = delete;
  AccountServices& operator=(const AccountServices&) = delete;

  AccountCore core;  // first: the services hold it by reference
  RegistrationService registration;
  SessionService sessions;
  ProfileService profile;
  ReviewService review;
};

}  // namespace cpshare
