#include "clicmd/args.hpp"

#include <CLI/CLI.hpp>

namespace cpshare::clicmd {

Args::Slot& Args::add(CLI::App* app, OptionSpec spec, bool multi) {
  Slot& slot = slots_.emplace_back();
  slot.name = spec.name;
  CLI::Option* opt = nullptr;
  if (spec.positional) {
    opt = app->add_option(spec.name, slot.value, spec.help);
    if (spec.required) opt->required();
  } else if (spec.value_name.empty()) {
    opt = app->add_flag(spec.name)->description(spec.help);
  } else if (multi) {
    opt = app->add_option(spec.name, slot.values, spec.help)
              ->type_name(spec.value_name)
              ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
              ->expected(1)
              ->allow_extra_args(false);
  } else {
    opt = app->add_option(spec.name, slot.value, spec.help)->type_name(spec.value_name);
    if (spec.required) opt->required();
  }
  if (!spec.choices.empty()) opt->check(CLI::IsMember(spec.choices));
  slot.option = opt;
  specs_.push_back(std::move(spec));
  return slot;
}

void Args::flag(CLI::App* app, std::string name, std::string help) {
  add(app, OptionSpec{std::move(name), "", std::move(help), {}, false, false, false});
}

void Args::option(CLI::App* app, std::string name, std::string value_name, std::string help,
                  std::vector<std::string> choices) {
  add(app,
      OptionSpec{std::move(name), std::move(value_name), std::move(help), std::move(choices), false, false, false});
}

void Args::file_option(CLI::App* app, std::string name, std::string value_name, std::string help) {
  add(app, OptionSpec{std::move(name), std::move(value_name), std::move(help), {}, true, false, false});
}

void Args::multi_option(CLI::App* app, std::string name, std::string value_name, std::string help) {
  add(app, OptionSpec{std::move(name), std::move(value_name), std::move(help), {}, false, false, false},
      /*multi=*/true);
}

void Args::positional(CLI::App* app, std::string name, std::string help, bool required,
                      std::vector<std::string> choices) {
  std::string value_name = name;
  add(app,
      OptionSpec{std::move(name), std::move(value_name), std::move(help), std::move(choices), false, true, required});
}

const Args::Slot* Args::find(std::string_view name) const {
  for (const Slot& s : slots_)
    if (s.name == name) return &s;
  return nullptr;
}

std::optional<std::string> Args::get(std::string_view name) const {
  const Slot* s = find(name);
  if (s == nullptr || s->option == nullptr || s->option->count() == 0) return std::nullopt;
  return s->value;
}

bool Args::has(std::string_view flag_name) const {
  const Slot* s = find(flag_name);
  return s != nullptr && s->option != nullptr && s->option->count() > 0;
}

std::vector<std::string> Args::get_all(std::string_view name) const {
  const Slot* s = find(name);
  if (s == nullptr || s->option == nullptr || s->option->count() == 0) return {};
  return s->values;
}

const std::vector<OptionSpec>& global_option_specs() {
  static const std::vector<OptionSpec> specs = {
      {"--server",
       "URL",
       "Server to talk to (default: $CPSHARE_SERVER, else the server of the last login, else "
       "http://127.0.0.1:7878)",
       {},
       false,
       false,
       false},
      {"--json", "", "Print the response's data as JSON (errors as {\"error\":{...}})", {}, false, false, false},
      {"--ca-file",
       "FILE",
       "CA certificate (PEM) to verify an https server (default: $CPSHARE_CA_FILE)",
       {},
       true,
       false,
       false},
  };
  return specs;
}

void declare_globals(CLI::App* app, Globals& g) {
  const auto& specs = global_option_specs();
  app->add_option(specs[0].name, g.server, specs[0].help)->type_name(specs[0].value_name)->group("Global options");
  app->add_flag(specs[1].name, g.json, specs[1].help)->group("Global options");
  app->add_option(specs[2].name, g.ca_file, specs[2].help)->type_name(specs[2].value_name)->group("Global options");
}

}  // namespace cpshare::clicmd
