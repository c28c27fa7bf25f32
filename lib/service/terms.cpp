#include "service/terms.hpp"

namespace cpshare::terms {

std::string_view agreement() {
  return R"(cpshare registration agreement / 注册协议 (version 2026-11-01)

1. cpshare is a research computing-power sharing platform operated under the Shenzhen
   technical specification for research compute sharing. You register to lease or supply
   computing resources for research purposes only.
   本平台依据深圳市科研算力共享技术规范运营，仅用于科研用途的算力租用与供给。
2. The information you give must be true and your own; institutions and suppliers submit a
   valid business licence and are reviewed by the platform before they may lease or publish.
   您须提供真实、本人的信息；单位用户和供给方须提交有效营业执照并经平台审核。
3. You keep your credentials secret and are responsible for the use of your account, of
   leased resources and of the access credentials handed to you.
   您须妥善保管账户凭据，并对账户及所租资源的使用负责。
4. Leases are billed in the billing mode you choose; the platform keeps billing records as
   required by law, also after deregistration.
   租用按您选择的计费模式结算；平台依法保存计费记录，注销后亦然。
5. Misuse (attacks, unlawful content, circumventing access control) ends your access.
   滥用（攻击、违法内容、绕过访问控制）将终止您的访问权限。
)";
}

std::string_view privacy() {
  return R"(cpshare privacy policy / 隐私政策 (version 2026-11-01)

What we collect: the registration data you enter (name, ID number, contact details, region,
organisation, licence, settlement account), sessions (time, client, IP address) and security
events. 我们收集：注册信息、会话信息（时间、客户端、IP 地址）及安全事件。
How we protect it (PIPL, GB/T 35273): ID numbers, phone numbers, credit codes and account
numbers are stored only encrypted with a keyed hash for lookup and shown masked; passwords
are stored as argon2id hashes; licences and MFA secrets are encrypted.
身份证号、手机号、信用代码和账号仅加密存储并以密钥哈希检索，显示时脱敏；密码以 argon2id 哈希存储。
Why: to verify identity, operate leases and billing, and secure the platform. We do not sell
or share personal data except as the law requires.
用途：身份核验、租用与计费、平台安全；除法律要求外不出售或共享个人信息。
Deregistration: your contact data, identity numbers, licence and MFA secrets are erased; the
username, name or company name, credit code and billing records are kept as the law requires.
注销后删除联系方式、证件号码、执照及多因素认证密钥；用户名、姓名或企业名称、信用代码及计费记录依法保留。
)";
}

}  // namespace cpshare::terms
