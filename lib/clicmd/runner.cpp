#include "clicmd/runner.hpp"

#include <unistd.h>

#include <deque>
#include <optional>
#include <iostream>

#include <CLI/CLI.hpp>

#include "api/envelope.hpp"
#include "clicmd/docgen.hpp"
#include "util/text.hpp"

namespace cpshare::clicmd {

using nlohmann::json;

int exit_code(const Error& error, bool unreachable) {
  if (unreachable) return kExitUnreachable;
  switch (error.code) {
    case ErrorCode::ValidationFailed:
    case ErrorCode::MalformedRequest:
    case ErrorCode::InvalidCode:
    case ErrorCode::CodeExpired:
    case ErrorCode::UsernameTaken:
    case ErrorCode::EmailTaken:
    case ErrorCode::PhoneTaken: return kExitUsage;
    case ErrorCode::Unauthenticated:
    case ErrorCode::InvalidCredentials:
    case ErrorCode::MfaRequired:
    case ErrorCode::InvalidMfaCode:
    case ErrorCode::AccountNotActive: return kExitAuth;
    case ErrorCode::Forbidden: return kExitForbidden;
    case ErrorCode::NotFound: return kExitNotFound;
    case ErrorCode::RateLimited: return kExitRateLimited;
    default: return kExitOther;
  }
}

namespace {
// Whether the message is only this field's error again: fail_fields() writes
// "FIELD: MESSAGE" as the message of a one-field error (for clients that show
// only the message), and name_flags() may since have added " (--flag)" to the
// field's name.
// With several fields, fail_fields' summary is the first one and " (and N more)".
bool repeats_field(std::string message, const FieldError& f, std::size_t fields) {
  if (fields > 1) {
    const std::string more = " (and " + std::to_string(fields - 1) + " more)";
    if (!message.ends_with(more)) return false;
    message.resize(message.size() - more.size());
  }
  const std::string tail = ": " + f.message;
  if (!message.ends_with(tail)) return false;
  const std::string name = message.substr(0, message.size() - tail.size());
  return f.field == name || f.field.starts_with(name + " (");
}
}  // namespace

void report_error(Io& io, bool as_json, const Error& error) {
  if (as_json) {
    io.out << api::error_envelope(error).dump(2) << "\n";
    return;
  }
  const bool colour = io.err_is_tty && !io.env("NO_COLOR");
  const char* label = colour ? "\033[31merror:\033[0m " : "error: ";
  if (!error.fields.empty() && repeats_field(error.message, error.fields.front(), error.fields.size())) {
    // Each field error once (`cpshare filter 'bad syntax'` printed it twice, and a
    // publish with two bad fields printed the first twice).
    const FieldError& f = error.fields.front();
    if (error.fields.size() == 1) {
      io.err << "cpshare: " << label << f.field << ": " << f.message << "\n";
    } else {
      io.err << "cpshare: " << label << error.fields.size() << " fields are invalid:\n";
      for (const auto& each : error.fields) io.err << "  " << each.field << ": " << each.message << "\n";
    }
  } else {
    io.err << "cpshare: " << label << error.message << "\n";
    for (const auto& f : error.fields) io.err << "  " << f.field << ": " << f.message << "\n";
  }
  if (error.code == ErrorCode::RateLimited && error.retry_after > 0)
    io.err << "  try again in " << error.retry_after << (error.retry_after == 1 ? " second\n" : " seconds\n");
}

namespace {

// Word-wraps prose for --help (CLI11 prints footers as they are).
std::string wrap(std::string_view prose, std::size_t width) {
  std::string out, line;
  std::size_t start = 0;
  while (start < prose.size()) {
    std::size_t end = prose.find(' ', start);
    if (end == std::string_view::npos) end = prose.size();
    const std::string word(prose.substr(start, end - start));
    if (!line.empty() && text::display_width(line) + 1 + text::display_width(word) > width) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return out + line;
}

// The CLI11 form of the command table: one App per entry, all binding the same Globals.
struct Tree {
  CLI::App root{"cpshare: client of the cpshare research computing-power sharing platform", "cpshare"};
  Globals globals;
  std::deque<Args> args;        // per table entry (deque: CLI11 binds to their storage)
  std::vector<CLI::App*> apps;  // per table entry

  explicit Tree(const std::vector<Command>& table) {
    root.footer(
        "Run 'cpshare help COMMAND' or 'cpshare COMMAND --help' for a command's options; 'man cpshare'\n"
        "for the exit status, environment and files.");
    declare_globals(&root, globals);
    for (const Command& c : table) {
      CLI::App* parent = &root;
      for (std::size_t i = 0; i < apps.size(); ++i)
        if (table[i].path.size() + 1 == c.path.size() &&
            std::equal(table[i].path.begin(), table[i].path.end(), c.path.begin()))
          parent = apps[i];
      CLI::App* app = parent->add_subcommand(c.path.back(), c.summary);
      if (c.hidden) app->group("");
      declare_globals(app, globals);
      Args& a = args.emplace_back();
      if (c.declare != nullptr) c.declare(app, a);
      std::string footer = wrap(c.details, 78);
      if (!c.examples.empty()) {
        footer += std::string(footer.empty() ? "" : "\n\n") + (c.examples.size() == 1 ? "Example:" : "Examples:");
        for (const auto& e : c.examples) footer += "\n  " + e;
      }
      if (!footer.empty()) app->footer(footer);
      apps.push_back(app);
    }
  }
};

std::string join_path(const std::vector<std::string>& path) {
  std::string s = "cpshare";
  for (const auto& w : path) s += " " + w;
  return s;
}

// The command named `word` under `path` (hidden ones too), or nullptr.
const Command* child_named(const std::vector<Command>& table, const std::vector<std::string>& path,
                           const std::string& word) {
  for (const Command& c : table)
    if (c.path.size() == path.size() + 1 && std::equal(path.begin(), path.end(), c.path.begin()) &&
        c.path.back() == word)
      return &c;
  return nullptr;
}

// `word` is no command under `path`: "unknown command 'lst' (did you mean 'list'?)",
// "unknown command 'shw' for 'cpshare leases' (did you mean 'show'?)"; `suggestion`
// the closest command there, "" when none is close.
std::string unknown_command(const std::vector<std::string>& path, const std::string& word,
                            const std::string& suggestion) {
  const std::string where = path.empty() ? "" : " for '" + join_path(path) + "'";
  std::string message = "unknown command '" + word + "'" + where;
  if (!suggestion.empty()) message += " (did you mean '" + suggestion + "'?)";
  return message;
}

std::string closest_command(const std::vector<Command>& table, const std::vector<std::string>& path,
                            const std::string& word) {
  std::vector<std::string> names;
  for (const Command* c : children(table, path)) names.push_back(c->path.back());
  return text::closest(word, names);
}

// Finds the first word that is not a command at its level, before CLI11 sees it, so
// that the message can suggest the closest command. Returns false after reporting.
bool check_command_words(const std::vector<std::string>& args, const std::vector<Command>& table, Io& io) {
  std::vector<std::string> path;
  const bool as_json = std::find(args.begin(), args.end(), "--json") != args.end();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") return true;
    if (word.starts_with("-")) {
      for (const auto& g : global_option_specs())
        if (word == g.name && !g.value_name.empty()) ++i;  // skip the option's value
      continue;
    }
    const Command* node = nullptr;
    for (const Command& c : table)
      if (c.path == path) node = &c;
    if (child_named(table, path, word) != nullptr) {
      path.push_back(word);
      continue;
    }
    const std::string suggestion = closest_command(table, path, word);
    // A command: the rest are its arguments. One that also has subcommands ("units" and
    // "units set") takes a word close to a subcommand's name for a typo of it.
    if (node != nullptr && node->run != nullptr && suggestion.empty()) return true;
    const std::string message = unknown_command(path, word, suggestion);
    if (as_json) {
      report_error(io, true, Error{ErrorCode::ValidationFailed, message, {}, 0});
    } else {
      io.err << "cpshare: " << message << "\n";
      if (suggestion.empty()) io.err << "Run '" << join_path(path) << " --help' for the commands.\n";
    }
    return false;
  }
  return true;
}

// `cpshare help WORDS...` (global options anywhere): the words name a command and
// are read here, not by CLI11, which would take "show" in "help leases show" for
// the catalogue's show. Bare `cpshare help` is the table's row. nullopt: the
// command line is not one of these.
std::optional<int> help_words(const std::vector<std::string>& args, Io& io, const std::vector<Command>& table) {
  std::vector<std::string> words;
  bool as_json = false, after_help = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") return std::nullopt;
    if (word.starts_with("-")) {
      as_json = as_json || word == "--json";
      for (const auto& g : global_option_specs())
        if (word == g.name && !g.value_name.empty()) ++i;  // skip the option's value
      continue;
    }
    if (!after_help && word != "help") return std::nullopt;
    if (after_help) words.push_back(word);
    after_help = true;
  }
  if (words.empty()) return std::nullopt;
  auto text = help_text(words, table);
  if (!text) {
    report_error(io, as_json, text.error());
    return kExitUsage;
  }
  io.out << *text;
  return kExitOk;
}

}  // namespace

Result<std::string> help_text(const std::vector<std::string>& words, const std::vector<Command>& table) {
  std::vector<std::string> path;
  for (const std::string& word : words) {
    if (child_named(table, path, word) == nullptr) {
      const std::string suggestion = closest_command(table, path, word);
      std::string listing = "cpshare help";
      for (const auto& w : path) listing += " " + w;
      const std::string hint = !suggestion.empty()             ? ""
                               : children(table, path).empty() ? ", which has no subcommands"
                                                               : "; '" + listing + "' lists the commands";
      return usage_error(unknown_command(path, word, suggestion) + hint);
    }
    path.push_back(word);
  }
  Tree tree(table);
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].path == path) return tree.apps[i]->help(join_path({path.begin(), path.end() - 1}));
  return tree.root.help();
}

int run(const std::vector<std::string>& args, Io& io, const std::vector<Command>& table) {
  if (auto status = help_words(args, io, table)) return *status;
  if (!check_command_words(args, table, io)) return kExitUsage;

  Tree tree(table);
  try {
    tree.root.parse(std::vector<std::string>(args.rbegin(), args.rend()));
  } catch (const CLI::CallForHelp&) {
    io.out << tree.root.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    io.out << tree.root.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // CLI11 reports bad flags by exception; this is the edge where it becomes a value.
    std::vector<std::string> path;
    for (const CLI::App* app = &tree.root; !app->get_subcommands().empty();) {
      app = app->get_subcommands().front();
      path.push_back(app->get_name());
    }
    report_error(io, tree.globals.json, Error{ErrorCode::ValidationFailed, e.what(), {}, 0});
    if (!tree.globals.json) io.err << "Run '" << join_path(path) << " --help' for usage.\n";
    return kExitUsage;
  }

  const CLI::App* selected = &tree.root;
  while (!selected->get_subcommands().empty()) selected = selected->get_subcommands().front();
  std::size_t index = table.size();
  for (std::size_t i = 0; i < tree.apps.size(); ++i)
    if (tree.apps[i] == selected) index = i;
  if (index == table.size() || table[index].run == nullptr) {
    // cpshare, or a group, without its subcommand: a usage error that says which exist.
    std::vector<std::string> path = index == table.size() ? std::vector<std::string>{} : table[index].path;
    std::string names;
    for (const Command* c : children(table, path)) names += (names.empty() ? "" : ", ") + c->path.back();
    report_error(io, tree.globals.json,
                 Error{ErrorCode::ValidationFailed, "'" + join_path(path) + "' needs a command: " + names, {}, 0});
    if (!tree.globals.json) io.err << "\n" << tree.root.help();
    return kExitUsage;
  }

  Context ctx(io, tree.globals, tree.args[index]);
  Result<> r = table[index].run(ctx);
  if (r) return kExitOk;
  Error& error = r.error();
  if (error.code == ErrorCode::Unauthenticated && error.message.find("cpshare login") == std::string::npos)
    error.message += " (log in again with: cpshare login)";
  report_error(io, tree.globals.json, error);
  return exit_code(error, ctx.unreachable());
}

int main(int argc, char** argv) {
  TerminalConsole console;
  Io io{std::cin,
        std::cout,
        std::cerr,
        console,
        ::isatty(STDOUT_FILENO) == 1,
        ::isatty(STDERR_FILENO) == 1,
        client::process_env()};
  const int status = run(std::vector<std::string>(argv + 1, argv + argc), io);
  std::cout.flush();
  return status;
}

}  // namespace cpshare::clicmd
