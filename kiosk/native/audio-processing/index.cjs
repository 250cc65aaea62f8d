'use strict';
// The compiled addon (node-gyp puts it in build/Release at npm install).
module.exports = require('./build/Release/helppoint_apm.node');
