#include <catch2/catch.hpp>
#include <string>

#include "domain/validate.hpp"

namespace validate = cpshare::validate;

namespace {
bool has(const std::string& message, std::string_view part) { return message.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("national_id accepts valid GB 11643 numbers", "[R-USER-2]") {
  CHECK(validate::national_id("11010519491231002X") == "");
  CHECK(validate::national_id("11010519491231002x") == "");  // lower-case x is the same check
  CHECK(validate::national_id("440524188001010014") == "");
}

TEST_CASE("national_id rejects a wrong check digit and says which is expected", "[R-USER-2]") {
  const std::string id = "110105194912310021";
  const std::string m = validate::national_id(id);
  CHECK(has(m, "check digit"));
  CHECK(has(m, "X"));
  CHECK(has(m, "re-check"));
  CHECK_FALSE(has(m, id.substr(0, 17)));  // the number itself is sensitive

  CHECK(validate::national_id("440524188001010015") != "");
  CHECK(validate::national_id("11010519491231002Y") != "");
}

TEST_CASE("national_id rejects impossible birth dates", "[R-USER-2]") {
  for (std::string_view id : {"110105194902301234",     // 30 February
                              "110105190002291234",     // 1900 is not a leap year
                              "110105194913011234",     // month 13
                              "110105194912321234",     // day 32
                              "110105194912001234"}) {  // day 0
    INFO(id);
    const std::string m = validate::national_id(id);
    CHECK(has(m, "not a real date"));
    CHECK_FALSE(has(m, id));
  }
  CHECK(has(validate::national_id("110105299901011234"), "future"));
  CHECK(has(validate::national_id("110105179912311234"), "1800"));
  // 29 February in a leap year is a real date, so only the check digit decides.
  CHECK(has(validate::national_id("110105200002291234"), "check digit"));
}

TEST_CASE("national_id rejects wrong length and characters", "[R-USER-2]") {
  CHECK(has(validate::national_id(""), "18 characters"));
  CHECK(has(validate::national_id("11010519491231002"), "got 17"));
  CHECK(has(validate::national_id("11010519491231002XX"), "got 19"));
  CHECK(has(validate::national_id("1101051949123100AX"), "position 17"));
  CHECK(has(validate::national_id("11010519491231002Z"), "digit or X"));
  CHECK(validate::national_id("１１０１０５１９４９１２３１００２Ｘ") != "");  // fullwidth digits
}

TEST_CASE("credit_code checks GB 32100-2015 characters and check character", "[R-USER-4]") {
  CHECK(validate::credit_code("91350100M000100Y43") == "");

  SECTION("a character outside the 31-character set is rejected") {
    const std::string m = validate::credit_code("91350100M000100Y4Z");
    CHECK(has(m, "position 18"));
    CHECK(has(m, "I, O, S, V, Z"));
    CHECK(validate::credit_code("91350100M0001O0Y43") != "");  // letter O
  }
  SECTION("a wrong check character names the expected one") {
    const std::string m = validate::credit_code("91350100M000100Y44");
    CHECK(has(m, "check character"));
    CHECK(has(m, "need 3"));
  }
  SECTION("lower case is refused with a hint") {
    CHECK(has(validate::credit_code("91350100m000100y43"), "upper case"));
  }
  SECTION("length") {
    CHECK(has(validate::credit_code("91350100M000100Y4"), "18 characters"));
    CHECK(validate::credit_code("") != "");
  }
}

TEST_CASE("password policy", "[R-USER-2]") {
  SECTION("too short, counted in characters") {
    CHECK(has(validate::password("abc123!", "alice"), "at least 8"));
    CHECK(has(validate::password("密码很安全啊!", "alice"), "at least 8"));  // 7 chars, 19 bytes
    CHECK(validate::password("我的密码很安全啊", "alice") == "");            // 8 chars
  }
  SECTION("too long") { CHECK(has(validate::password(std::string(129, 'k'), "alice"), "128")); }
  SECTION("common passwords, case-insensitive") {
    for (std::string_view pw : {"password", "12345678", "qwerty123", "password1", "iloveyou", "admin123", "88888888",
                                "woaini1314", "a1b2c3d4", "PassWord1", "QWERTY123"}) {
      INFO(pw);
      CHECK(has(validate::password(pw, "alice"), "common"));
    }
  }
  SECTION("equal to or containing the username") {
    CHECK(has(validate::password("CorrectHorse", "correcthorse"), "same as the username"));
    CHECK(has(validate::password("xxAlice2024!", "alice"), "contain the username"));
  }
  SECTION("acceptable passwords") {
    CHECK(validate::password("plum-harbor-91", "alice") == "");
    CHECK(validate::password("plum-harbor-91", "") == "");
  }
  SECTION("invalid UTF-8") { CHECK(has(validate::password("abcdefgh\xff", "alice"), "UTF-8")); }
}

TEST_CASE("is_common_password", "[R-USER-2]") {
  CHECK(validate::is_common_password("123456"));
  CHECK(validate::is_common_password("Iloveyou"));
  CHECK(validate::is_common_password("woaini1314"));
  CHECK_FALSE(validate::is_common_password("plum-harbor-91"));
  CHECK_FALSE(validate::is_common_password(""));
}

TEST_CASE("email syntax", "[R-USER-2]") {
  for (std::string_view ok : {"alice@example.org", "a.b+c@sub.example.com.cn", "x@xn--fiqs8s.cn", "张三@例子.中国"}) {
    INFO(ok);
    CHECK(validate::email(ok) == "");
  }
  for (std::string_view bad : {"", "alice", "alice@", "@example.org", "alice@example", "al ice@example.org",
                               "a@b@example.org", "alice@exa_mple.org", "alice@example.c", ".a@example.org",
                               "a..b@example.org", "alice@-example.org", "alice@example..org", "a\t@example.org"}) {
    INFO(bad);
    CHECK(validate::email(bad) != "");
  }
  CHECK(has(validate::email(std::string(250, 'a') + "@example.org"), "254"));
  CHECK(has(validate::email("alice"), "name@example.org"));
}

TEST_CASE("phone numbers are mainland mobiles, optionally +86", "[R-USER-2]") {
  CHECK(validate::normalize_phone("+86 138-0013-8000") == "13800138000");
  CHECK(validate::normalize_phone("8613800138000") == "13800138000");
  CHECK(validate::normalize_phone("008613800138000") == "13800138000");
  CHECK(validate::normalize_phone("13800138000") == "13800138000");

  for (std::string_view ok :
       {"13800138000", "+8613800138000", "+86 138 0013 8000", "8613800138000", "138-0013-8000", "19912345678"}) {
    INFO(ok);
    CHECK(validate::phone(ok) == "");
  }
  for (std::string_view bad :
       {"", "12800138000", "1380013800", "138001380001", "1380013800a", "+1 4155550100", "23800138000"}) {
    INFO(bad);
    CHECK(has(validate::phone(bad), "11-digit"));
  }
}

TEST_CASE("username rules", "[R-USER-2]") {
  CHECK(validate::username("alice") == "");
  CHECK(validate::username("a_b-c.d9") == "");
  CHECK(validate::username(std::string(32, 'a')) == "");
  CHECK(has(validate::username("ab"), "3 to 32"));
  CHECK(has(validate::username(std::string(33, 'a')), "3 to 32"));
  CHECK(has(validate::username("1alice"), "start with a letter"));
  CHECK(has(validate::username("_alice"), "start with a letter"));
  CHECK(has(validate::username("ali ce"), "only letters"));
  CHECK(has(validate::username("alice@x"), "only letters"));
  CHECK(validate::username("张三丰") != "");
}

TEST_CASE("length messages count characters, not bytes", "[R-USER-2]") {
  // 11 Chinese characters are 33 bytes: within 3-32 characters, refused for
  // what they are, and never reported as 33.
  const std::string eleven = validate::username("张三李四王五赵六钱七孙");
  CHECK(has(eleven, "start with a letter a-z or A-Z"));
  CHECK(has(eleven, "pinyin"));
  CHECK_FALSE(has(eleven, "33"));
  CHECK(has(validate::username("zhang张三李四"), "pinyin"));
  // Other letters outside a-z get a hint of their own, not the pinyin one.
  CHECK(has(validate::username("straße"), "write ß as ss"));
  CHECK(!has(validate::username("straße"), "pinyin"));
  CHECK(has(validate::username("école"), "write ß as ss"));
  CHECK(has(validate::username(std::string(40, 'a')), "got 40"));
  std::string forty;
  for (int i = 0; i < 40; ++i) forty += "张";
  CHECK(has(validate::username(forty), "got 40"));
  CHECK(has(validate::username("张三"), "got 2"));

  // ID numbers and credit codes: the count is of characters; a non-ASCII
  // character is named by its position in characters.
  CHECK(has(validate::national_id("11010519491231002号"), "position 18") == false);
  CHECK(has(validate::national_id("11010519491231002号"), "last character must be a digit or X"));
  CHECK(has(validate::national_id("1101051949123100号X"), "position 17"));
  CHECK(has(validate::national_id("身份证号码"), "got 5"));
  CHECK(has(validate::credit_code("统一社会信用代码"), "got 8"));
  CHECK(has(validate::credit_code("9135０100M000100Y43"), "position 5"));

  CHECK(has(validate::text("深圳大学", 3), "got 4"));
}

TEST_CASE("free text fields", "[R-USER-2]") {
  CHECK(validate::text("深圳大学", 4) == "");
  CHECK(has(validate::text("深圳大学", 3), "at most 3"));
  CHECK(has(validate::text("", 10), "empty"));
  CHECK(has(validate::text(" \t ", 10), "empty"));
  CHECK(has(validate::text("a\nb", 10), "control"));
  CHECK(has(validate::text("a\x7f"
                           "b",
                           10),
            "control"));
  CHECK(has(validate::text("a\xc2\x85"
                           "b",
                           10),
            "control"));  // U+0085 NEL
  CHECK(has(validate::text("a\xff", 10), "UTF-8"));
}

TEST_CASE("valid_utf8 is strict") {
  CHECK(validate::valid_utf8(""));
  CHECK(validate::valid_utf8("plain"));
  CHECK(validate::valid_utf8("深圳"));
  CHECK(validate::valid_utf8("\xF0\x9F\x98\x80"));        // U+1F600
  CHECK_FALSE(validate::valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(validate::valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(validate::valid_utf8("\xE6\xB7"));          // truncated
  CHECK_FALSE(validate::valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(validate::valid_utf8("\x80"));
}

TEST_CASE("licence type is detected from content, not the name", "[R-USER-4]") {
  CHECK(validate::sniff_licence_type("%PDF-1.7\n...") == "application/pdf");
  CHECK(validate::sniff_licence_type(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)) == "image/png");
  CHECK(validate::sniff_licence_type("\xFF\xD8\xFF\xE0\0\x10JFIF") == "image/jpeg");
  CHECK(validate::sniff_licence_type("GIF89a") == "");
  CHECK(validate::sniff_licence_type("") == "");
  CHECK(validate::sniff_licence_type("%PD") == "");
}
