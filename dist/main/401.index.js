"use strict";
exports.id = 401;
exports.ids = [401];
exports.modules = {

/***/ 92401:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createGitHub: () => (/* binding */ createGitHub)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(92413);
// GitHub behind a small port: the sticky PR comment (or commit comment on push), a deployment with its
// statuses, and a commit status, over @actions/github's Octokit. GitHub Enterprise Server works through
// GITHUB_API_URL. Reporting failures are the caller's to turn into warnings: they never fail a release.

/** Builds the port over Octokit. */
function createGitHub(target) {
    const octokit = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(target.token, target.apiUrl ? { baseUrl: target.apiUrl } : {});
    const [owner, repo] = target.repository.split('/');
    let commentId;
    let deploymentId;
    async function findComment(marker) {
        if (target.pullRequest !== undefined) {
            const comments = await octokit.paginate(octokit.rest.issues.listComments, {
                owner,
                repo,
                issue_number: target.pullRequest,
                per_page: 100,
            });
            return comments.find((c) => c.body?.includes(marker))?.id;
        }
        const comments = await octokit.paginate(octokit.rest.repos.listCommentsForCommit, {
            owner,
            repo,
            commit_sha: target.sha,
            per_page: 100,
        });
        return comments.find((c) => c.body?.includes(marker))?.id;
    }
    return {
        async upsertComment(marker, body) {
            commentId ??= await findComment(marker);
            if (commentId !== undefined) {
                if (target.pullRequest !== undefined)
                    await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
                else
                    await octokit.rest.repos.updateCommitComment({ owner, repo, comment_id: commentId, body });
                return 'updated';
            }
            const created = target.pullRequest !== undefined
                ? await octokit.rest.issues.createComment({ owner, repo, issue_number: target.pullRequest, body })
                : await octokit.rest.repos.createCommitComment({ owner, repo, commit_sha: target.sha, body });
            commentId = created.data.id;
            return 'created';
        },
        async deploymentStatus(state, description, environmentUrl) {
            if (deploymentId === undefined) {
                const created = await octokit.rest.repos.createDeployment({
                    owner,
                    repo,
                    ref: target.ref,
                    environment: target.environment,
                    auto_merge: false,
                    required_contexts: [],
                    transient_environment: target.transient,
                    production_environment: !target.transient,
                    description: description.slice(0, 140),
                });
                if (!('id' in created.data))
                    throw new Error(`GitHub did not create the deployment: ${JSON.stringify(created.data)}`);
                deploymentId = created.data.id;
            }
            await octokit.rest.repos.createDeploymentStatus({
                owner,
                repo,
                deployment_id: deploymentId,
                state,
                description: description.slice(0, 140),
                ...(environmentUrl && { environment_url: environmentUrl }),
                ...(target.runUrl && { log_url: target.runUrl }),
            });
        },
        async commitStatus(state, description, targetUrl) {
            await octokit.rest.repos.createCommitStatus({
                owner,
                repo,
                sha: target.sha,
                state,
                context: target.context,
                description: description.slice(0, 140),
                ...((targetUrl ?? target.runUrl) && { target_url: targetUrl ?? target.runUrl }),
            });
        },
    };
}


/***/ })

};
;