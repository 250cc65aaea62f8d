{
  # Built by node-gyp against the pinned Node's own headers (npm_config_nodedir,
  # set by scripts/setup.sh), so no download. Needs Debian's
  # libwebrtc-audio-processing-dev (0.3: headers + pkg-config file) and
  # libspeexdsp-dev (1.2: the MDF echo canceller and its preprocessor), g++, make,
  # python3 and pkg-config; at run time only libwebrtc-audio-processing1 and libspeexdsp1.
  "targets": [
    {
      "target_name": "helppoint_apm",
      "sources": ["src/addon.cc", "src/Apm.cc", "src/Mdf.cc", "src/MdfAddon.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "<!@(pkg-config --cflags webrtc-audio-processing speexdsp)"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["<!@(pkg-config --libs webrtc-audio-processing speexdsp)"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS"]
    }
  ]
}
