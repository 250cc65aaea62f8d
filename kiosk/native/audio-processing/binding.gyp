{
  # Built by node-gyp against the pinned Node's own headers (npm_config_nodedir,
  # set by scripts/setup.sh), so no download. Needs Debian's
  # libwebrtc-audio-processing-dev (0.3: headers + pkg-config file), g++, make,
  # python3 and pkg-config; at run time only libwebrtc-audio-processing1.
  "targets": [
    {
      "target_name": "helppoint_apm",
      "sources": ["src/addon.cc", "src/Apm.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "<!@(pkg-config --cflags webrtc-audio-processing)"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["<!@(pkg-config --libs webrtc-audio-processing)"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS"]
    }
  ]
}
