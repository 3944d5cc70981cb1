/**
 * The Python that Blender runs (`blender -b -P <this> -- job.json out.png`): it builds the JSON scene
 * (scene.schema.json) in an empty Blender scene — the same camera, objects, materials, lights and
 * sky the built-in renderer draws — and renders one region of the frame with Cycles on the CPU as a
 * border render cropped to that region. Kept as a string so that the function bundle carries it.
 */
export const BUILD_SCENE_PY = String.raw`
import json, math, sys
import bpy
from mathutils import Vector

job_path, out_path = sys.argv[sys.argv.index("--") + 1:][:2]
with open(job_path) as f:
    job = json.load(f)
desc = job["scene"]
width, height, samples = job["width"], job["height"], job["samples"]
region = job["region"]

def v(p):
    # The JSON scene is y-up; Blender is z-up.
    return Vector((p[0], -p[2], p[1]))

bpy.ops.wm.read_factory_settings(use_empty=True)
scene = bpy.context.scene
r = scene.render
r.engine = "CYCLES"
scene.cycles.device = "CPU"
scene.cycles.samples = samples
scene.cycles.use_adaptive_sampling = False
scene.cycles.use_denoising = False
scene.cycles.max_bounces = 5
scene.cycles.seed = 0
r.resolution_x, r.resolution_y, r.resolution_percentage = width, height, 100
r.film_transparent = False
r.use_border = True
r.use_crop_to_border = True
# Border coordinates are fractions of the frame, y counted from the bottom.
r.border_min_x = region["x"] / width
r.border_max_x = (region["x"] + region["w"]) / width
r.border_min_y = (height - region["y"] - region["h"]) / height
r.border_max_y = (height - region["y"]) / height
r.image_settings.file_format = "PNG"
r.image_settings.color_mode = "RGBA"
r.image_settings.color_depth = "8"
r.filepath = out_path
scene.view_settings.view_transform = "Standard"

materials = {}
for name, m in desc["materials"].items():
    mat = bpy.data.materials.new(name)
    mat.use_nodes = True
    bsdf = mat.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (*m["color"], 1.0)
    metallic = m.get("metallic", 0.0)
    bsdf.inputs["Metallic"].default_value = metallic
    bsdf.inputs["Roughness"].default_value = m.get("roughness", 0.0) if metallic > 0 else 1.0
    bsdf.inputs["Specular"].default_value = 0.0 if metallic == 0 else 0.5
    if "emission" in m:
        e = m["emission"]
        strength = max(e)
        if strength > 0:
            bsdf.inputs["Emission"].default_value = (e[0] / strength, e[1] / strength, e[2] / strength, 1.0)
            bsdf.inputs["Emission Strength"].default_value = strength
    materials[name] = mat

for o in desc["objects"]:
    if o["type"] == "sphere":
        bpy.ops.mesh.primitive_uv_sphere_add(radius=o["radius"], location=v(o["center"]), segments=64, ring_count=32)
        bpy.ops.object.shade_smooth()
    elif o["type"] == "box":
        lo, hi = v(o["min"]), v(o["max"])
        bpy.ops.mesh.primitive_cube_add(size=1, location=(lo + hi) / 2)
        bpy.context.object.scale = tuple(abs(a - b) for a, b in zip(hi, lo))
    else:
        bpy.ops.mesh.primitive_plane_add(size=2000, location=v(o["point"]))
        obj = bpy.context.object
        obj.rotation_mode = "QUATERNION"
        obj.rotation_quaternion = Vector((0, 0, 1)).rotation_difference(v(o["normal"]).normalized())
    bpy.context.object.data.materials.append(materials[o["material"]])

for i, l in enumerate(desc["lights"]):
    if l["type"] == "sun":
        data = bpy.data.lights.new(f"sun{i}", type="SUN")
        data.energy = l["intensity"]  # irradiance, W/m², as in the JSON
        data.angle = 0.0
    else:
        data = bpy.data.lights.new(f"point{i}", type="POINT")
        data.energy = l["intensity"] * 4 * math.pi  # radiant intensity (W/sr) to power (W)
        data.shadow_soft_size = 0.0
    data.color = l["color"]
    obj = bpy.data.objects.new(data.name, data)
    scene.collection.objects.link(obj)
    if l["type"] == "sun":
        obj.rotation_mode = "QUATERNION"
        obj.rotation_quaternion = Vector((0, 0, -1)).rotation_difference(v(l["direction"]).normalized())
    else:
        obj.location = v(l["position"])

cam_data = bpy.data.cameras.new("camera")
cam_data.sensor_fit = "VERTICAL"
cam_data.angle_y = math.radians(desc["camera"]["fov"])
cam = bpy.data.objects.new("camera", cam_data)
scene.collection.objects.link(cam)
cam.location = v(desc["camera"]["position"])
cam.rotation_mode = "QUATERNION"
cam.rotation_quaternion = (v(desc["camera"]["lookAt"]) - cam.location).to_track_quat("-Z", "Y")
scene.camera = cam

# The sky: a gradient from the horizon colour to the zenith colour by the ray's height.
world = bpy.data.worlds.new("sky")
world.use_nodes = True
nodes, links = world.node_tree.nodes, world.node_tree.links
background = nodes["Background"]
sky = desc.get("sky", {"horizon": [0, 0, 0], "zenith": [0, 0, 0]})
coords = nodes.new("ShaderNodeTexCoord")
split = nodes.new("ShaderNodeSeparateXYZ")
mix = nodes.new("ShaderNodeMixRGB")
mix.use_clamp = True
mix.inputs["Color1"].default_value = (*sky["horizon"], 1.0)
mix.inputs["Color2"].default_value = (*sky["zenith"], 1.0)
clamp = nodes.new("ShaderNodeClamp")
links.new(coords.outputs["Generated"], split.inputs["Vector"])
links.new(split.outputs["Z"], clamp.inputs["Value"])
links.new(clamp.outputs["Result"], mix.inputs["Fac"])
links.new(mix.outputs["Color"], background.inputs["Color"])
background.inputs["Strength"].default_value = 1.0
scene.world = world

bpy.ops.render.render(write_still=True)
`;
