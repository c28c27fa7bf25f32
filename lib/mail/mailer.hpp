// Outgoing mail behind one interface: SMTP (libcurl) when the daemon has
// --smtp-url, otherwise one .eml file per message in DATA_DIR/outbox/.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "util/error.hpp"

namespace cpshare {

struct Mail {
  std::string to;
  std::string subject;  // UTF-8
  std::string body;     // UTF-8 plain text
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  virtual Result<> send(const Mail& mail) = 0;
};

// RFC 5322 message text with UTF-8 subject (RFC 2047) and CRLF line ends.
std::string format_message(const std::string& from, const Mail& mail, std::int64_t unix_time);

class OutboxMailer final : public Mailer {
 public:
  OutboxMailer(std::filesystem::path dir, std::string from);
  Result<> send(const Mail& mail) override;

 private:
  std::filesystem::path dir_;
  std::string from_;
};

class SmtpMailer final : public Mailer {
 public:
  // url: smtp://host:port, smtps://host:port; user:password@ may be embedded.
  SmtpMailer(std::string url, std::string from);
  Result<> send(const Mail& mail) override;

 private:
  std::string url_;
  std::string from_;
};

}  // namespace cpshare
