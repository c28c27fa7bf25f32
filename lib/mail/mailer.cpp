#include "mail/mailer.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <curl/curl.h>
#include <fmt/format.h>

#include "crypto/crypto.hpp"
#include "util/clock.hpp"

namespace cpshare {

namespace {

std::string rfc2822_date(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

bool is_ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// RFC 2047 encoded-word for a non-ASCII header value.
std::string encode_header(const std::string& value) {
  if (is_ascii(value)) return value;
  std::string b64 = crypto::base64_encode(value);
  return "=?UTF-8?B?" + b64 + "?=";
}

std::string crlf(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

}  // namespace

std::string format_message(const std::string& from, const Mail& mail, std::int64_t unix_time) {
  std::string id = crypto::random_id("", 24, crypto::kHexAlphabet);
  std::string domain = from.substr(from.find('@') == std::string::npos ? from.size() : from.find('@') + 1);
  if (domain.empty()) domain = "localhost";
  return fmt::format(
      "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}@{}>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\n{}",
      from, mail.to, encode_header(mail.subject), rfc2822_date(unix_time), id, domain, crlf(mail.body));
}

OutboxMailer::OutboxMailer(std::filesystem::path dir, std::string from)
    : dir_(std::move(dir)), from_(std::move(from)) {}

Result<> OutboxMailer::send(const Mail& mail) {
  std::int64_t now = SystemClock{}.now();
  std::string text = format_message(from_, mail, now);
  std::string stamp = rfc3339(now);
  for (char& c : stamp)
    if (c == ':') c = '-';
  std::string name = crypto::random_id(stamp + "-", 12, crypto::kHexAlphabet) + ".eml";
  auto tmp = dir_ / ("." + name + ".tmp");
  auto final_path = dir_ / name;
  // Written to a hidden temp file and renamed, so readers never see half a message.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(ErrorCode::Unavailable,
                fmt::format("outbox: cannot create {}: {}", tmp.string(), std::strerror(errno)));
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(ErrorCode::Unavailable, fmt::format("outbox: write failed: {}", std::strerror(errno)));
    }
    off += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail(ErrorCode::Unavailable, fmt::format("outbox: rename failed: {}", std::strerror(errno)));
  }
  return {};
}

SmtpMailer::SmtpMailer(std::string url, std::string from) : url_(std::move(url)), from_(std::move(from)) {}

namespace {
struct Upload {
  const std::string* text;
  std::size_t off = 0;
};
std::size_t read_cb(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t left = up->text->size() - up->off;
  std::size_t k = std::min(left, size * n);
  std::memcpy(buf, up->text->data() + up->off, k);
  up->off += k;
  return k;
}
}  // namespace

Result<> SmtpMailer::send(const Mail& mail) {
  static const bool curl_ready = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  if (!curl_ready) return fail(ErrorCode::Unavailable, "smtp: libcurl failed to initialise");
  std::string text = format_message(from_, mail, SystemClock{}.now());
  CURL* curl = curl_easy_init();
  if (!curl) return fail(ErrorCode::Unavailable, "smtp: cannot create a libcurl handle");
  Upload up{&text};
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + mail.to + ">").c_str());
  std::string from = "<" + from_ + ">";
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // Use TLS when the server offers it; smtps:// URLs require it.
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK)
    return fail(ErrorCode::Unavailable,
                fmt::format("smtp: sending to the mail server failed: {}", curl_easy_strerror(rc)));
  return {};
}

}  // namespace cpshare
