//! Generation and shrinking of sequences with proptest-state-machine: an abstract model that
//! only tracks what has been attempted, so that steps can refer to earlier creations.

use super::corpus::{corpus, len};
use super::step::{Op, PROVIDERS, Step, TokenRef};
use proptest::prelude::*;
use proptest_state_machine::ReferenceStateMachine;

/// What generation needs to know: how many users and sessions a sequence has tried to create.
#[derive(Debug, Clone, Default)]
pub struct Attempts {
    /// `create_user` steps so far.
    pub users: u8,
    /// `create_session` steps so far.
    pub sessions: u8,
}

/// The generator of property sequences.
pub struct Sequences;

fn idx(pool: &[String]) -> std::ops::Range<u8> {
    0..len(pool)
}

fn providers() -> std::ops::Range<u8> {
    0..u8::try_from(PROVIDERS.len()).unwrap_or(u8::MAX)
}

fn token_ref(sessions: u8) -> BoxedStrategy<TokenRef> {
    if sessions == 0 {
        prop_oneof![
            Just(TokenRef::Unknown),
            Just(TokenRef::Absent),
            Just(TokenRef::Jwt)
        ]
        .boxed()
    } else {
        prop_oneof![
            6 => (0..sessions).prop_map(TokenRef::Of),
            1 => Just(TokenRef::Unknown),
            1 => Just(TokenRef::Absent),
            1 => Just(TokenRef::Jwt),
        ]
        .boxed()
    }
}

impl ReferenceStateMachine for Sequences {
    type State = Attempts;
    type Transition = Op;

    fn init_state() -> BoxedStrategy<Self::State> {
        Just(Attempts::default()).boxed()
    }

    fn transitions(state: &Self::State) -> BoxedStrategy<Self::Transition> {
        let c = corpus();
        let create_user = (
            proptest::option::of(idx(&c.names)),
            proptest::option::weighted(0.8, idx(&c.emails)),
            any::<bool>(),
        )
            .prop_map(|(name, email, verified)| Op::CreateUser {
                name,
                email,
                verified,
            });
        let clock = prop_oneof![
            2 => Just(Step::Micro),
            1 => Just(Step::Second),
            3 => Just(Step::Hour),
            3 => Just(Step::HalfDay),
            1 => Just(Step::Month),
            1 => Just(Step::Decades),
        ]
        .prop_map(Op::Advance);
        let verification = (idx(&c.emails), idx(&c.verification_tokens));
        let account = (providers(), idx(&c.provider_account_ids));
        let always = prop_oneof![
            3 => create_user,
            2 => clock,
            1 => proptest::option::of(idx(&c.emails)).prop_map(Op::GetUserByEmail),
            1 => account.clone().prop_map(|(provider, account)| Op::GetUserByAccount { provider, account }),
            2 => verification.clone().prop_map(|(identifier, token)| Op::CreateVerification { identifier, token }),
            2 => verification.clone().prop_map(|(identifier, token)| Op::GetVerification { identifier, token }),
            1 => verification.prop_map(|(identifier, token)| Op::DeleteVerification { identifier, token }),
            1 => token_ref(state.sessions).prop_map(Op::GetSession),
            1 => Just(Op::GetUser(None)),
        ];
        if state.users == 0 {
            return always.boxed();
        }
        let users = state.users;
        let with_users = prop_oneof![
            2 => (0..users).prop_map(|p| Op::GetUser(Some(p))),
            2 => (0..users, proptest::option::of(idx(&c.names)), proptest::option::weighted(0.8, idx(&c.emails)), any::<bool>())
                .prop_map(|(user, name, email, verified)| Op::UpdateUser { user, name, email, verified }),
            1 => (0..users).prop_map(Op::DeleteUser),
            3 => (0..users, account.clone(), idx(&c.access_tokens)).prop_map(|(user, (provider, account), access)| Op::LinkAccount { user, provider, account, access }),
            1 => (0..users, account).prop_map(|(user, (provider, account))| Op::UnlinkAccount { user, provider, account }),
            3 => (0..users).prop_map(Op::CreateSession),
        ];
        if state.sessions == 0 {
            return prop_oneof![3 => always, 2 => with_users].boxed();
        }
        let sessions = state.sessions;
        let with_sessions = prop_oneof![
            4 => (0..sessions, prop::bool::weighted(0.2)).prop_map(|(session, force)| Op::UpdateSession { session, force }),
            2 => token_ref(sessions).prop_map(Op::GetSession),
            1 => token_ref(sessions).prop_map(Op::DeleteSession),
        ];
        prop_oneof![3 => always, 2 => with_users, 3 => with_sessions].boxed()
    }

    fn apply(mut state: Self::State, transition: &Self::Transition) -> Self::State {
        match transition {
            Op::CreateUser { .. } => state.users = state.users.saturating_add(1),
            Op::CreateSession(_) => state.sessions = state.sessions.saturating_add(1),
            _ => {}
        }
        state
    }

    fn preconditions(state: &Self::State, transition: &Self::Transition) -> bool {
        // Shrinking removes steps; a step may only refer to what an earlier step created.
        match transition {
            Op::GetUser(Some(p)) | Op::DeleteUser(p) | Op::CreateSession(p) => *p < state.users,
            Op::UpdateUser { user, .. }
            | Op::LinkAccount { user, .. }
            | Op::UnlinkAccount { user, .. } => *user < state.users,
            Op::UpdateSession { session, .. } => *session < state.sessions,
            Op::GetSession(TokenRef::Of(p)) | Op::DeleteSession(TokenRef::Of(p)) => {
                *p < state.sessions
            }
            _ => true,
        }
    }
}
