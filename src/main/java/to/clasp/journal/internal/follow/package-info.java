/**
 * Following, for every backend: the hub that serves a journal's streams
 * ({@link to.clasp.journal.internal.follow.FollowHub}), one stream's demand and delivery
 * ({@link to.clasp.journal.internal.follow.FollowSubscription}), the index that offers a commit
 * only to the streams that can match it ({@link to.clasp.journal.internal.follow.FollowIndex}),
 * and what a backend supplies ({@link to.clasp.journal.internal.follow.FollowSource}).
 *
 * <p>Internal: not part of the library's API. Its types are public only so that the
 * other packages of the library can use them; they may change in any release, and code outside
 * the library should not use them.
 */
package to.clasp.journal.internal.follow;
