//! Fidelity and hostile data: what is stored comes back exactly, at the declared precision;
//! lookups are exact (no wildcards, no trimming, no case folding beyond the declaration).

use crate::authjs::Ctx;
use crate::catalogue::body;
use crate::rule::{Area, Failure, Rule, RuleResult};
use crate::{check_eq, check_eq_exact};
use chrono::Duration;
use nextauth_adapter::authjs::{
    Account, AccountKey, NewUser, Session, VerificationKey, VerificationToken,
};
use nextauth_adapter::{ErrorKind, Method};

pub(super) fn rules() -> Vec<Rule> {
    const D: Area = Area::Data;
    const S: Area = Area::Security;
    let email = super::needs_only(&[
        Method::CreateVerificationToken,
        Method::UseVerificationToken,
    ]);
    vec![
        Rule::authjs_must(
            D,
            "authjs.data.strings.hostile-round-trip",
            "§14.10; §15.8",
            "names, addresses and provider ids with quotes, wildcards, backslashes, emoji and other scripts are stored and found exactly",
            body!(hostile_round_trip),
        ),
        Rule::authjs_must(
            D,
            "authjs.data.tokens.large",
            "§14.10; §15.8",
            "an 8 KB access token and id token (JWTs) are stored and returned whole",
            body!(large_tokens),
        ),
        Rule::authjs_should(
            D,
            "authjs.data.expires-at.past-2038",
            "§14.10; §15.8",
            "an account's expires_at beyond 2^31 seconds (2038) is stored exactly, not overflowed or refused",
            body!(past_2038),
        ),
        Rule::authjs_must(
            D,
            "authjs.data.timestamps.declared-precision",
            "§14.10; §14.3",
            "emailVerified, session and token expiries come back as the declared precision keeps them",
            body!(declared_precision),
        ),
        Rule::authjs_must(
            S,
            "authjs.security.lookups.exact",
            "§14.10; §15.8",
            "lookups by address, account key, session token and verification key treat %, _ and padding literally",
            body!(exact_lookups),
        ),
        Rule::authjs_must(
            S,
            "authjs.security.verification.key-is-exact",
            "§14.10; §15.6",
            "a verification key differing only by case, padding or a wildcard redeems nothing",
            body!(exact_key),
        )
        .requires(email),
    ]
}

const HOSTILE: [&str; 6] = [
    "O'Brien \"Bobby\" -- ; DROP TABLE users",
    "100% _real_ \\ back\\slash",
    "Zoë Ångström 李小龍",
    "🦀 emoji 👩‍💻",
    "trailing space ",
    "tab\tand\nnewline",
];

async fn hostile_round_trip(c: Ctx) -> RuleResult {
    for (i, text) in HOSTILE.iter().enumerate() {
        let new = NewUser {
            name: Some((*text).to_owned()),
            image: Some(format!("https://example.com/{text}")),
            email: Some(format!(
                "{}{i}@example.com",
                text.replace([' ', '\t', '\n'], "")
            )),
            ..c.new_user()
        };
        let user = match c.adapter.create_user(new.clone()).await {
            Ok(user) => user,
            // Refusing with a typed error is allowed; nothing may be written.
            Err(e) if e.kind() == ErrorKind::InvalidInput => continue,
            Err(e) => return Err(e.into()),
        };
        check_eq!(user.name, new.name, "the name");
        let email = new.email.clone().unwrap_or_default();
        check_eq!(
            c.adapter.get_user_by_email(&email).await?,
            Some(user.clone()),
            "the user found by a hostile address"
        );
        let account = Account {
            provider_account_id: (*text).to_owned(),
            ..c.new_account(&user, "hostile")
        };
        c.adapter.link_account(account.clone()).await?;
        check_eq!(
            c.adapter.get_user_by_account(&account.key()).await?,
            Some(user.clone()),
            "the user found by a hostile account id"
        );
        check_eq!(
            c.stored().await?.account(&account.key()).cloned(),
            Some(account.clone()),
            "the stored account"
        );
    }
    Ok(())
}

async fn large_tokens(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let jwt: String = "eyJhbGciOiJSUzI1NiJ9."
        .chars()
        .chain(std::iter::repeat_n('x', 8 * 1024))
        .collect();
    let account = Account {
        access_token: Some(jwt.clone()),
        id_token: Some(jwt.clone()),
        ..c.new_account(&user, "oidc")
    };
    c.adapter.link_account(account.clone()).await?;
    check_eq!(
        c.stored().await?.account(&account.key()).cloned(),
        Some(account.clone()),
        "the stored account with 8 KB tokens"
    );
    Ok(())
}

async fn past_2038(c: Ctx) -> RuleResult {
    let user = c.user().await?;
    let account = Account {
        expires_at: Some(4_102_444_800),
        ..c.new_account(&user, "github")
    };
    c.adapter.link_account(account.clone()).await?;
    check_eq!(
        c.stored()
            .await?
            .account(&account.key())
            .and_then(|a| a.expires_at),
        Some(4_102_444_800),
        "expires_at of 2100-01-01"
    );
    Ok(())
}

async fn declared_precision(c: Ctx) -> RuleResult {
    let odd = c.now() + Duration::nanoseconds(123_456_789);
    let user = c
        .adapter
        .create_user(NewUser {
            email_verified: Some(odd),
            ..c.new_user()
        })
        .await?;
    check_eq_exact!(
        user.email_verified,
        Some(c.stored_instant(odd)),
        "emailVerified"
    );
    let session = Session {
        expires: odd,
        ..c.new_session(&user)
    };
    let created = c.adapter.create_session(session.clone()).await?;
    check_eq_exact!(
        created.expires,
        c.stored_instant(odd),
        "the session's expiry"
    );
    let stored = c.stored().await?;
    check_eq_exact!(
        stored.session(&session.session_token).map(|s| s.expires),
        Some(c.stored_instant(odd)),
        "the stored session's expiry"
    );
    if c.caps.implements(Method::CreateVerificationToken)
        && c.caps.implements(Method::UseVerificationToken)
    {
        let (_, token) = c.new_token("precise@example.com");
        let token = VerificationToken {
            expires: odd,
            ..token
        };
        c.adapter.create_verification_token(token.clone()).await?;
        let used = c
            .adapter
            .use_verification_token(&Ctx::key_of(&token))
            .await?;
        check_eq_exact!(
            used.map(|t| t.expires),
            Some(c.stored_instant(odd)),
            "the token's expiry"
        );
    }
    Ok(())
}

async fn exact_lookups(c: Ctx) -> RuleResult {
    let user = c
        .adapter
        .create_user(NewUser {
            email: Some("a_b%c@example.com".to_owned()),
            ..c.new_user()
        })
        .await?;
    let account = Account {
        provider_account_id: "id_1%".to_owned(),
        ..c.new_account(&user, "github")
    };
    c.adapter.link_account(account).await?;
    let session = c.session(&user).await?;
    let a = &c.adapter;
    for probe in [
        "%",
        "a%",
        "a_b_c@example.com",
        "aXb%c@example.com",
        " a_b%c@example.com",
        "a_b%c@example.com ",
    ] {
        // MySQL's PAD SPACE collations equate trailing spaces: declared, that is a match.
        if !c.caps.email_matching.same(probe, "a_b%c@example.com") {
            check_eq!(
                a.get_user_by_email(probe).await?,
                None,
                "get_user_by_email({probe:?})"
            );
        }
    }
    for (provider, id) in [
        ("github", "%"),
        ("github", "id_1_"),
        ("github", "id%"),
        ("%", "id_1%"),
        ("github ", "id_1%"),
    ] {
        check_eq!(
            a.get_user_by_account(&AccountKey::new(provider, id))
                .await?,
            None,
            "get_user_by_account({provider:?}, {id:?})"
        );
    }
    let token = session.session_token.clone();
    for probe in [
        "%".to_owned(),
        format!("{}%", &token[..8]),
        format!("{token} "),
        token.to_uppercase(),
        String::new(),
    ] {
        if probe != token {
            check_eq!(
                a.get_session_and_user(&probe).await?,
                None,
                "get_session_and_user({probe:?})"
            );
        }
    }
    Ok(())
}

async fn exact_key(c: Ctx) -> RuleResult {
    let token = c.token("info@example.com").await?;
    let probes = [
        ("INFO@example.com", token.token.clone()),
        ("info@example.com ", token.token.clone()),
        ("%", token.token.clone()),
        ("info@example.com", token.token.to_uppercase()),
        ("info@example.com", format!("{}%", &token.token[..16])),
        ("info@example.com", "%".to_owned()),
    ];
    for (identifier, t) in probes {
        // Identifiers are addresses, matched as declared.
        if t == token.token && c.caps.email_matching.same(identifier, &token.identifier) {
            continue;
        }
        let key = VerificationKey {
            identifier: identifier.to_owned(),
            token: t.clone(),
        };
        check_eq!(
            c.adapter.use_verification_token(&key).await?,
            None,
            "use_verification_token({identifier:?}, {t:?})"
        );
    }
    // Probes that return none but remove the token spend the user's link: the collateral
    // cause, not a match.
    let left = c.stored().await?.verification_tokens.len();
    if left != 1 {
        return Err(Failure::new(format!(
            "tokens stored after the probes: expected 1, got {left}"
        ))
        .because("collateral"));
    }
    if c.adapter
        .use_verification_token(&Ctx::key_of(&token))
        .await?
        .is_none()
    {
        return Err(
            Failure::new("the rightful use after the probes gave none").because("collateral")
        );
    }
    Ok(())
}
