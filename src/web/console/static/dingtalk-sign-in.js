/*
 * DingTalk H5 micro-app 免登: inside the DingTalk client, asks it for an authCode (JSAPI
 * dd.getAuthCode, from dingtalk.open.js) and goes on to /auth/dingtalk with the page's state.
 * Outside DingTalk (or without the JSAPI file) it says so: the 控制台 command's link works anywhere.
 */
(function () {
  'use strict';
  var box = document.getElementById('dingtalk-sign-in');
  var state = box.getAttribute('data-state');
  var corpId = box.getAttribute('data-corp-id');
  function go(code) {
    location.replace('/auth/dingtalk?authCode=' + encodeURIComponent(code) + '&state=' + encodeURIComponent(state));
  }
  function outside() {
    document.getElementById('dingtalk-status').hidden = true;
    document.getElementById('dingtalk-outside').hidden = false;
  }
  var dd = window.dd;
  if (!dd) return outside();
  if (dd.getAuthCode) {
    dd.getAuthCode({ corpId: corpId, success: function (r) { go(r.code || r.authCode); }, fail: outside });
  } else if (dd.runtime && dd.runtime.permission) {
    dd.ready(function () {
      dd.runtime.permission.requestAuthCode({ corpId: corpId, onSuccess: function (r) { go(r.code); }, onFail: outside });
    });
  } else outside();
})();
