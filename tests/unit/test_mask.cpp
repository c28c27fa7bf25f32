#include <catch2/catch.hpp>
#include <string>

#include "domain/validate.hpp"

namespace mask = cpshare::mask;

TEST_CASE("id numbers show the first and last four", "[R-USER-3]") {
  CHECK(mask::id_number("11010519491231002X") == "1101**********002X");
  CHECK(mask::id_number("440524188001010014") == "4405**********0014");
  // Too short to hide anything meaningful: nothing is shown.
  CHECK(mask::id_number("1234567") == "**********");
  CHECK(mask::id_number("") == "**********");
}

TEST_CASE("phones show the first three and last four", "[R-USER-3]") {
  CHECK(mask::phone("13800138000") == "138****8000");
  CHECK(mask::phone("19912345678") == "199****5678");
  CHECK(mask::phone("1380013") == "****");
}

TEST_CASE("credit codes show the first four and last three", "[R-USER-3]") {
  CHECK(mask::credit_code("91350100M000100Y43") == "9135**********Y43");
  CHECK(mask::credit_code("123") == "**********");
}

TEST_CASE("bank accounts show the last four", "[R-USER-3]") {
  CHECK(mask::bank_account("6222021234567891234") == "****1234");
  CHECK(mask::bank_account("1234567") == "****");
}

TEST_CASE("masks never contain the hidden middle", "[R-USER-3]") {
  const std::string id = "11010519491231002X";
  CHECK(mask::id_number(id).find("19491231") == std::string::npos);
  CHECK(mask::phone("13800138000").find("0013") == std::string::npos);
  CHECK(mask::credit_code("91350100M000100Y43").find("M000") == std::string::npos);
  CHECK(mask::bank_account("6222021234567891234").find("6222") == std::string::npos);
}

TEST_CASE("emails keep the first and last character of the local part", "[R-USER-3]") {
  CHECK(mask::email("alice@example.org") == "a***e@example.org");
  CHECK(mask::email("a@example.org") == "a***@example.org");
  CHECK(mask::email("ab@example.org") == "a***@example.org");  // would otherwise show it whole
  CHECK(mask::email("张三丰@example.org") == "张***丰@example.org");
  CHECK(mask::email("not-an-email") == "***");
  CHECK(mask::email("@example.org") == "***");
}
