// Vigil's WebAuthn helper, served by the built-in provider at /.vigil/idp/webauthn.js (no third-party code).
// A form marked data-webauthn="create" or "get" gets its options from data-options (a POST with the form's own
// fields, which carry the antiforgery token), runs the browser's WebAuthn ceremony, puts the result as JSON into
// the form's "credential" field and submits the form. The server verifies everything; this script only converts
// between base64url strings and ArrayBuffers.
(function () {
  'use strict';

  var transports = ['usb', 'nfc', 'ble', 'smart-card', 'hybrid', 'internal'];

  function fromBase64Url(text) {
    var base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    while (base64.length % 4 !== 0) {
      base64 += '=';
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64Url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var copy = { type: d.type, id: fromBase64Url(d.id) };
      if (d.transports && d.transports.length) {
        copy.transports = d.transports;
      }
      return copy;
    });
  }

  function creationOptions(o) {
    return {
      rp: o.rp,
      user: { id: fromBase64Url(o.user.id), name: o.user.name, displayName: o.user.displayName },
      challenge: fromBase64Url(o.challenge),
      pubKeyCredParams: o.pubKeyCredParams,
      timeout: o.timeout,
      attestation: o.attestation || 'none',
      authenticatorSelection: o.authenticatorSelection,
      excludeCredentials: descriptors(o.excludeCredentials)
    };
  }

  function requestOptions(o) {
    return {
      challenge: fromBase64Url(o.challenge),
      timeout: o.timeout,
      rpId: o.rpId,
      allowCredentials: descriptors(o.allowCredentials),
      userVerification: o.userVerification || 'preferred'
    };
  }

  function attestationJson(credential) {
    var r = credential.response;
    var reported = typeof r.getTransports === 'function' ? r.getTransports() : [];
    return {
      id: credential.id,
      rawId: toBase64Url(credential.rawId),
      type: credential.type,
      response: {
        attestationObject: toBase64Url(r.attestationObject),
        clientDataJSON: toBase64Url(r.clientDataJSON),
        transports: reported.filter(function (t) { return transports.indexOf(t) >= 0; })
      },
      clientExtensionResults: {}
    };
  }

  function assertionJson(credential) {
    var r = credential.response;
    return {
      id: credential.id,
      rawId: toBase64Url(credential.rawId),
      type: credential.type,
      response: {
        authenticatorData: toBase64Url(r.authenticatorData),
        clientDataJSON: toBase64Url(r.clientDataJSON),
        signature: toBase64Url(r.signature),
        userHandle: r.userHandle ? toBase64Url(r.userHandle) : null
      },
      clientExtensionResults: {}
    };
  }

  function attach(form) {
    var mode = form.getAttribute('data-webauthn');
    var button = form.querySelector('[data-webauthn-start]');
    var status = document.getElementById('webauthn-status');
    var say = function (text) { if (status) { status.textContent = text; } };
    if (!button) {
      return;
    }
    if (!window.PublicKeyCredential || !navigator.credentials) {
      button.disabled = true;
      say('This browser does not support security keys.');
      return;
    }
    button.addEventListener('click', function () {
      if (!form.reportValidity()) {
        return;
      }
      button.disabled = true;
      say('');
      form.elements.credential.value = '';
      fetch(form.getAttribute('data-options'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Accept': 'application/json' },
        body: new URLSearchParams(new FormData(form))
      }).then(function (response) {
        if (!response.ok) {
          throw new Error('options');
        }
        return response.json();
      }).then(function (options) {
        return mode === 'create'
          ? navigator.credentials.create({ publicKey: creationOptions(options) }).then(attestationJson)
          : navigator.credentials.get({ publicKey: requestOptions(options) }).then(assertionJson);
      }).then(function (result) {
        form.elements.credential.value = JSON.stringify(result);
        form.submit();
      }).catch(function (error) {
        button.disabled = false;
        say(error && error.name === 'NotAllowedError'
          ? 'The security key request was cancelled or timed out.'
          : error && error.message === 'options'
            ? 'Your sign-in expired. Reload the page or sign in again.'
            : 'The security key could not be used.');
      });
    });
  }

  function start() {
    var forms = document.querySelectorAll('form[data-webauthn]');
    for (var i = 0; i < forms.length; i++) {
      attach(forms[i]);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
