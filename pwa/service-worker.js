// Safe Passage service worker. Its code is the router, sw/router.js, which installs a
// release only if release.js's signature and every file's hash verify (sw/release-check.js).
// tools/build_release.py rewrites the release line below, so these bytes change whenever a
// shipped file does and browsers always see the update (step 4 of build_release.py says why).
// Release 7e2cb68c0ade579b
import "/release.js";
import "/sw/router.js";
