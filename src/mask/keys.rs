//! What a JSON key (or a `key=` in free text) says about its value: a secret, whose value is
//! always masked, or an identity, whose value keeps its e-mail addresses visible.
//!
//! Keys are compared in a normal form: ASCII lower case with every non-alphanumeric character
//! dropped, so `client_secret`, `clientSecret`, `Client-Secret` and `x.client.secret` all read
//! `clientsecret`. A rule matches the END of the normal form: `dbPassword` and `X-Api-Key` are
//! secrets, while `secretName` (a Kubernetes volume naming a Secret), `tokenType`,
//! `input_tokens` and `authorization.k8s.io/decision` (the RBAC verdict in every Kubernetes
//! audit event) are not.

/// Endings of secret key names. Each stands for a credential itself, never for a description
/// of one: `passwordLastUsed`, `secretId` and `accessKeyId` end otherwise and stay visible
/// (an access key id that looks like one is caught by its value instead).
const SECRET_ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "authorization",
    "cookie",
    "privatekey",
    "accesskey",
    "secretkey",
    "credentials",
    "credential",
];

/// Keys that end like a secret but hold something derived from one, in normal form
/// (CloudTrail's `subjectFromWebIdentityToken` is the token's `sub` claim).
const NOT_SECRET: &[&str] = &["subjectfromwebidentitytoken"];

/// Endings of key names whose values name who acted: their e-mail addresses are identities,
/// not personal data leaking through free text, and stay visible (the canonical actor often
/// is one). Applies to everything under such a key too (`userIdentity.sessionContext…`).
const IDENTITY_ENDINGS: &[&str] = &[
    "user",
    "username",
    "userid",
    "useridentity",
    "identity",
    "actor",
    "principal",
    "principalid",
    "mail",
    "emailaddress",
    "login",
    "owner",
    "author",
    "creator",
    "arn",
];

/// Identity key names matched whole only (as endings they would catch too much).
const IDENTITY_EXACT: &[&str] = &["sub", "uid"];

/// `key` in normal form: ASCII lower case, alphanumerics only.
pub(crate) fn normal(key: &str) -> String {
    key.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether the value of `key` is a credential (masked whatever the configured fields).
pub(crate) fn is_secret_key(key: &str) -> bool {
    let n = normal(key);
    SECRET_ENDINGS.iter().any(|e| n.ends_with(e)) && !NOT_SECRET.contains(&n.as_str())
}

/// Whether the value of `key` names a person or principal (e-mail addresses kept).
pub(crate) fn is_identity_key(key: &str) -> bool {
    let n = normal(key);
    IDENTITY_EXACT.contains(&n.as_str()) || IDENTITY_ENDINGS.iter().any(|e| n.ends_with(e))
}

/// Whether `key` is a plain English word that also appears in prose before a colon ("invalid
/// token: expired"): in free text such a key introduces a secret only with `=` or when quoted.
pub(crate) fn is_ambiguous_word(key: &str) -> bool {
    matches!(
        normal(key).as_str(),
        "token" | "secret" | "credential" | "credentials"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_in_every_spelling() {
        for k in [
            "password",
            "Password",
            "db_password",
            "dbPassword",
            "hashedPassword",
            "passwd",
            "passphrase",
            "secret",
            "client_secret",
            "clientSecret",
            "token",
            "access_token",
            "sessionToken",
            "session_token",
            "csrf-token",
            "api_key",
            "apiKey",
            "X-Api-Key",
            "APIKEY",
            "Authorization",
            "proxy-authorization",
            "Cookie",
            "Set-Cookie",
            "private_key",
            "privateKey",
            "access_key",
            "secretAccessKey",
            "aws_secret_key",
            "credentials",
        ] {
            assert!(is_secret_key(k), "{k} should be a secret key");
        }
    }

    #[test]
    fn descriptions_of_secrets_are_not_secrets() {
        for k in [
            "secretName",
            "secretRef",
            "secretId",
            "tokenType",
            "token_type",
            "input_tokens",
            "token_count",
            "accessKeyId",
            "private_key_id",
            "passwordLastUsed",
            "authorization.k8s.io/decision",
            "authorization.k8s.io/reason",
            "authorizationInfo",
            "subjectFromWebIdentityToken",
            "subresource",
            "eventName",
            "resource",
            "message",
            "auditID",
        ] {
            assert!(!is_secret_key(k), "{k} should not be a secret key");
        }
    }

    #[test]
    fn identity_keys() {
        for k in [
            "user",
            "username",
            "userName",
            "impersonatedUser",
            "userIdentity",
            "actor",
            "principalId",
            "email",
            "user_email",
            "emailAddress",
            "arn",
            "roleArn",
            "owner",
            "sub",
        ] {
            assert!(is_identity_key(k), "{k} should be an identity key");
        }
        for k in [
            "message",
            "body",
            "reason",
            "subject",
            "description",
            "substatus",
        ] {
            assert!(!is_identity_key(k), "{k} should not be an identity key");
        }
    }

    #[test]
    fn ambiguous_words() {
        assert!(is_ambiguous_word("token"));
        assert!(is_ambiguous_word("Secret"));
        assert!(!is_ambiguous_word("password"));
        assert!(!is_ambiguous_word("api_key"));
        assert!(!is_ambiguous_word("Cookie"));
        assert!(!is_ambiguous_word("Authorization"));
    }
}
