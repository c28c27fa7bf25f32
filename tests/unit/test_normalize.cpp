// What people type with a Chinese input method is the same text as its ASCII
// form (issue 8, kind 1): one normaliser (domain/normalize) that the server's
// request reader and the CLI's forms both use.
#include <catch2/catch.hpp>

#include <string>

#include "domain/normalize.hpp"
#include "domain/validate.hpp"

namespace normalize = cpshare::normalize;
namespace validate = cpshare::validate;

TEST_CASE("full-width ID numbers, phones and credit codes normalise to the numbers they show", "[R-USER-2][R-USER-4]") {
  const std::string id = normalize::field("１１０１０５１９４９１２３１００２Ｘ");
  CHECK(id == "11010519491231002X");
  CHECK(validate::national_id(id) == "");

  const std::string phone = normalize::field("１３８００１３８００５");
  CHECK(phone == "13800138005");
  CHECK(validate::phone(phone) == "");
  CHECK(validate::normalize_phone(normalize::field("＋８６ １３８－００１３－８００５")) == "13800138005");

  const std::string code = normalize::field("９１３５０１００Ｍ０００１００Ｙ４３");
  CHECK(code == "91350100M000100Y43");
  CHECK(validate::credit_code(code) == "");

  // A bank account number typed with full-width digits and the ideographic space.
  CHECK(normalize::field("６２２２　０２１０　１２３４") == "6222 0210 1234");
}

TEST_CASE("normalising trims ideographic spaces and keeps Chinese text", "[R-USER-1]") {
  CHECK(normalize::field("\u3000深圳\u3000") == "深圳");
  CHECK(normalize::field("  张三 ") == "张三");
  CHECK(normalize::field("ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｏｒｇ") == "alice@example.org");
  // NFC and NFKC agree on composed forms: e + U+0301 is é.
  CHECK(normalize::field("Jose\u0301") == "Jos\u00e9");
  // Invalid UTF-8 is left for the validators to name.
  CHECK(normalize::field(" a\xff ") == "a\xff");
}

TEST_CASE("prose keeps full-width Chinese punctuation", "[R-USER-4]") {
  CHECK(normalize::prose("资料不全，请补充（营业执照）。") == "资料不全，请补充（营业执照）。");
  CHECK(normalize::field("资料不全，请补充") == "资料不全,请补充");
  CHECK(normalize::prose("Jose\u0301 ") == "Jos\u00e9");
}

TEST_CASE("usernames that differ in case or width share one key", "[R-USER-2]") {
  CHECK(normalize::username_key("alice") == "alice");
  CHECK(normalize::username_key("Alice") == "alice");
  CHECK(normalize::username_key("ALICE") == "alice");
  CHECK(normalize::username_key("ａｌｉｃｅ") == "alice");
  CHECK(normalize::username_key("Ａｌｉｃｅ") == "alice");
  CHECK(normalize::username_key("a.B_c-D9") == "a.b_c-d9");
  CHECK(normalize::username_key("bob") != normalize::username_key("alice"));
  // Beyond ASCII (legacy data, admin names): full Unicode case folding.
  CHECK(normalize::username_key("STRASSE") == normalize::username_key("straße"));
}

TEST_CASE("characters counts code points, not bytes", "[R-USER-2]") {
  CHECK(normalize::characters("") == 0);
  CHECK(normalize::characters("alice") == 5);
  CHECK(normalize::characters("张三李四王五赵六钱七孙") == 11);  // 33 bytes
  CHECK(normalize::characters("😀a") == 2);
  CHECK(normalize::characters("a\xff"
                              "b") == 3);         // a stray byte is one
  CHECK(normalize::characters("\xe5\xbc") == 1);  // a cut-off character is one
}
